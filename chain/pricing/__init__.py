"""Prices read on-chain (Chainlink feeds the chain's Aave market uses, Uniswap pools), and the dollar values of
effects."""

from chain.pricing.prices import Price, Pricer, PricingSources, pricing_sources
from chain.pricing.value import price_effects, priceable

__all__ = ["Price", "Pricer", "PricingSources", "price_effects", "priceable", "pricing_sources"]
