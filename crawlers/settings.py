"""Scrapy settings for peerjobs: polite by default.

robots.txt is obeyed, every request names the project and a contact address (PEERJOBS_CONTACT),
AutoThrottle adapts to each server, at most two requests run at once per domain, and failed
requests are retried with backoff. Override per run with ``-s NAME=value``.
"""

from crawlers import config

BOT_NAME = "peerjobs"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"
# A spider module that fails to import is reported, not allowed to stop every other spider.
SPIDER_LOADER_CLASS = "crawlers.spiderloader.IsolatingSpiderLoader"

USER_AGENT = config.user_agent()
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
DUPEFILTER_CLASS = "crawlers.dupefilter.RedirectAwareDupeFilter"

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [408, 429, 500, 502, 503, 504, 522, 524]
PEERJOBS_RETRY_BACKOFF_BASE = 2.0
PEERJOBS_RETRY_BACKOFF_MAX = 120.0
# Skip detail requests for postings stored with the same source update time.
PEERJOBS_INCREMENTAL = True

# Scrapy runs each callback's output through CONCURRENT_ITEMS asyncio workers (100 by
# default): 101 tasks per response, most of the CPU a small page costs. The pipelines are
# synchronous, so one worker processes the same items in the same order.
CONCURRENT_ITEMS = 1
# Scrapy's check for generator callbacks that return a value parses the callback's source on
# every response (its cache is keyed by the bound method, a new object each time). The
# check runs once per callback in tests/test_spider_callbacks.py instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
STATS_CLASS = "crawlers.runstats.PlainStatsCollector"

# Error pages reach the spiders' errbacks, which count them per board.
HTTPERROR_ALLOWED_CODES: list[int] = []
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.robots.SharedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.retry.BackoffRetryMiddleware": 550,
}
DOWNLOAD_HANDLERS = {
    "http": "crawlers.apibase.ApiBaseDownloadHandler",
    "https": "crawlers.apibase.ApiBaseDownloadHandler",
}
ITEM_PIPELINES = {
    "crawlers.pipelines.tidy.TidyTextPipeline": 100,
    "crawlers.pipelines.required.RequiredFieldsPipeline": 200,
    "crawlers.pipelines.duplicates.DuplicatesPipeline": 300,
}
EXTENSIONS = {
    "crawlers.runstats.RunRecorder": 500,
}

# The raw archive: one JSON-lines file per spider per run (spider attributes fill the URI).
FEEDS = {
    "%(archive_dir)s/%(name)s/%(run_id)s.jsonl": {
        "format": "jsonlines",
        "encoding": "utf8",
        "store_empty": True,
    },
}
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORTERS = {"jsonlines": "crawlers.feed_export.JsonLinesExporter"}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
