"""Effects: what a request does to the user — give, get, grant, revoke, control, sign in, deploy."""

from chain.effects.build import effects_of
from chain.effects.model import Asset, Disagreement, Effect, EffectKind, EffectSource, Permission

__all__ = ["Asset", "Disagreement", "Effect", "EffectKind", "EffectSource", "Permission", "effects_of"]
