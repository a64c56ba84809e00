"""The catalogue: every rule, check and request kind, each declared once with everything said or decided about
it. The rule registry, the policy's defaults, the summary's words, the prompt's glossary, the result's enums and
the README's rule table are all derived from here; a new rule is one spec here, one function and its test."""

from chain.catalogue.checks import CHECK_SPECS, CHECKS, CheckName, CheckSpec
from chain.catalogue.kinds import KINDS, KindSpec, RequestKind
from chain.catalogue.rules import RULE_SPECS, SPECS, RuleId, RuleSpec, rules_needing
from chain.catalogue.severity import SEVERITIES, Severity

__all__ = ["CHECKS", "CHECK_SPECS", "KINDS", "RULE_SPECS", "SEVERITIES", "SPECS", "CheckName", "CheckSpec",
           "KindSpec", "RequestKind", "RuleId", "RuleSpec", "Severity", "rules_needing"]
