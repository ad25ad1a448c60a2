"""Hand-written runtime shared by every generated module: models, codecs, config, transport."""
