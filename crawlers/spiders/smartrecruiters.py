from crawlers.platforms.smartrecruiters import SmartRecruitersSpider


class SmartRecruitersCompaniesSpider(SmartRecruitersSpider):
    """Companies hiring through SmartRecruiters, read from its public Posting API."""

    name = "smartrecruiters"
