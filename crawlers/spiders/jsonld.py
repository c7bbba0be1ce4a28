from crawlers.platforms.jsonld import JsonLdSpider


class CareerPagesSpider(JsonLdSpider):
    """Employer career pages that carry schema.org JobPosting JSON-LD."""

    name = "jsonld"
