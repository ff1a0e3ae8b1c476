"""graderlib in the RL trainers' own terms (TRL today).

* :class:`CodeReviewToolEnv`: ``GRPOTrainer(environment_factory=CodeReviewToolEnv)``, a
  multi-turn review with four tools and ``get_reward()``; in process, or over ``/ws``.
* :func:`code_review_reward`: ``GRPOTrainer(reward_funcs=code_review_reward)``, one-shot
  reviews answered as findings JSON.
* :func:`dataset`: the prompts and task ids both forms train on (a ``datasets.Dataset``).

Nothing here imports TRL: TRL calls these objects, they never call TRL. ``datasets`` and
``openenv`` are imported only by the functions that need them (``pip install
'graderlib[trl]'`` brings ``datasets``; the remote mode needs the ``env`` extra).
"""

from graderlib.integrations.data import dataset, dataset_rows, generated_tasks_dir
from graderlib.integrations.reward import code_review_reward, parse_completion, reward_stats
from graderlib.integrations.tasks import TaskView, task_set
from graderlib.integrations.tool_env import CodeReviewToolEnv

__all__ = [
    "CodeReviewToolEnv",
    "TaskView",
    "code_review_reward",
    "dataset",
    "dataset_rows",
    "generated_tasks_dir",
    "parse_completion",
    "reward_stats",
    "task_set",
]
