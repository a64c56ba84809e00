"""The risk engine: rules over facts, a versioned policy, and the verdict."""

from chain.rules.engine import catalogue, check_policy_rules, evaluate
from chain.rules.model import Finding
from chain.rules.policy import Policy, PolicyError, load_policy
from chain.rules.registry import RULES

__all__ = ["RULES", "Finding", "Policy", "PolicyError", "catalogue", "check_policy_rules", "evaluate",
           "load_policy"]
