"""chain/intel: threat intelligence with provenance — phishing domain lists and token lists from the registries'
own packages, loaded once into memory; every finding that uses one names the feed, its version and sha256."""
