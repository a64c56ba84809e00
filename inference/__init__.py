"""inference/: the model explains the facts; it never decides. Never imports audit/."""

from inference.engine import Engine, EngineError, Generation, ModelIdentity, Sampling
from inference.explain import Explanation, ModelCall, NarrativeSource, explain
from inference.model_files import ModelFileError, default_model_path

__all__ = [
    "Engine",
    "EngineError",
    "Explanation",
    "Generation",
    "ModelCall",
    "ModelFileError",
    "ModelIdentity",
    "NarrativeSource",
    "Sampling",
    "default_model_path",
    "explain",
]
