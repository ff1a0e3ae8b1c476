"""The OpenEnv hackathon entry point: an OpenAI-compatible model reviews code in the environment.

Reads API_BASE_URL, MODEL_NAME, OPENAI_API_KEY and ENV_BASE_URL (unset: the environment runs in
this process) and writes inference_results.json. Any `graderlib infer` option may follow:
`python inference.py --episodes 3 --trajectories steps.jsonl`.
"""

import sys

from graderlib.cli import main

if __name__ == "__main__":
    sys.exit(main(["infer", "--agent", "llm", *sys.argv[1:]]))
