"""Test support: devnet constants and request builders, the anvil launcher, a TCP proxy, the IPFS stand-in."""
