"""The job queue (SAQ on Redis): articles enqueued by the API and the CLI, stored by `quotelens worker`."""

from api.jobs.queue import STORE_ARTICLE, ArticleQueue, JobState

__all__ = ["STORE_ARTICLE", "ArticleQueue", "JobState"]
