"""Fixtures of the agenda's tests."""
import pytest

from dialogue.cache import cache


@pytest.fixture
def page_queries(client, count_queries):
    """page_queries(url): the queries a GET of `url` makes with the page cache emptied first (it must answer 200),
    to pin that a page's count does not grow with what it lists."""
    def count(url: str) -> int:
        cache.clear()
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        return counter.count
    return count
