"""The risk engine: rules over facts, a versioned policy, and the verdict."""

from chain.rules.engine import catalogue, check_policy_covers_rules, evaluate
from chain.rules.model import RULES, Finding
from chain.rules.policy import Policy, PolicyError, load_policy

__all__ = ["RULES", "Finding", "Policy", "PolicyError", "catalogue", "check_policy_covers_rules", "evaluate",
           "load_policy"]
