"""One real GRPO step in TRL on CPU, for both forms (opt-in: needs torch, trl and datasets).

``make test`` installs none of them (torch is gigabytes), so CI skips this module; with
``pip install torch==2.13.0 'graderlib[trl]'`` it runs. The model is a two-layer Qwen2 built
from a config, the tokenizer a character-level one built here with TRL's own Qwen3 chat
template: nothing is downloaded. A random model calls no tool and writes no JSON, so these
tests check the wiring in TRL's real loop (which tools it registers, that it resets the
environments with the dataset rows and reads their rewards, that the reward function gets the
task columns and logs the unparsable fraction), not learning.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")
trl = pytest.importorskip("trl")
datasets = pytest.importorskip("datasets")

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers  # noqa: E402
from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM  # noqa: E402

from graderlib.integrations import (  # noqa: E402
    CodeReviewToolEnv,
    code_review_reward,
    dataset,
    reward_stats,
)

pytestmark = pytest.mark.slow
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>",
           "<think>", "</think>", "<tool_response>", "</tool_response>"]  # fmt: skip


def tiny_model_and_tokenizer() -> tuple[Any, Any]:
    chars = sorted({chr(i) for i in range(32, 127)} | {"\n", "\t"})
    vocab = {token: i for i, token in enumerate(SPECIAL + chars)}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<|endoftext|>"))
    core.pre_tokenizer = pre_tokenizers.Split(Regex("."), "isolated")
    core.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token="<|endoftext|>",
    )
    tokenizer.add_special_tokens({"additional_special_tokens": SPECIAL[1:]})
    template = Path(trl.__file__).parent / "chat_templates" / "qwen3.jinja"
    tokenizer.chat_template = template.read_text()
    config = Qwen2Config(
        vocab_size=len(vocab),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=8192,
        tie_word_embeddings=True,
    )
    return Qwen2ForCausalLM(config), tokenizer


def config(tmp_path: Path) -> Any:
    return trl.GRPOConfig(
        output_dir=str(tmp_path),
        per_device_train_batch_size=2,
        num_generations=2,
        max_completion_length=8,
        max_steps=1,
        report_to="none",
        use_cpu=True,
        logging_steps=1,
        save_strategy="no",
        chat_template_kwargs={"enable_thinking": False},
    )


def test_one_grpo_step_with_the_environment_factory(tmp_path: Path) -> None:
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    resets: list[str] = []
    rewards: list[float] = []

    class Recording(CodeReviewToolEnv):
        def reset(self, **row: Any) -> str:
            resets.append(row["task_id"])
            return super().reset(**row)

        def get_reward(self) -> float:
            rewards.append(super().get_reward())
            return rewards[-1]

    model, tokenizer = tiny_model_and_tokenizer()
    train = dataset(split="validation", mode="tools").select(range(2))
    trainer = trl.GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        train_dataset=train,
        environment_factory=Recording,
        args=config(tmp_path),
    )
    assert {tool.__name__ for tool in trainer._env_tools[None]} == {
        "report_finding",
        "ask_hint",
        "submit_patch",
        "finalize",
    }
    trainer.train()
    assert trainer.state.global_step == 1
    assert len(resets) == 2 and set(resets) <= set(train["task_id"])
    assert len(rewards) == 2 and all(0.0 <= r <= 1.0 for r in rewards)
    assert any("rewards/Recording/mean" in entry for entry in trainer.state.log_history)


def test_one_grpo_step_with_the_reward_function(tmp_path: Path) -> None:
    model, tokenizer = tiny_model_and_tokenizer()
    before = reward_stats.completions
    trainer = trl.GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        train_dataset=dataset(split="validation").select(range(2)),
        reward_funcs=code_review_reward,
        args=config(tmp_path),
    )
    trainer.train()
    assert reward_stats.completions == before + 2
    logged = {k: v for entry in trainer.state.log_history for k, v in entry.items()}
    assert logged["rewards/code_review_reward/mean"] == 0.0  # 8 random characters: no JSON
    assert logged["graderlib/unparsable_fraction"] == 1.0
