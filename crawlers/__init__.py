"""The Scrapy project: spiders collect raw job postings, one platform base per job platform."""

__version__ = "0.1.0"
