"""One base spider per job platform; the spiders in crawlers/spiders/ are declarations on top."""
