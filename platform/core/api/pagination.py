from rest_framework.pagination import PageNumberPagination


class PagePagination(PageNumberPagination):
    """`page` and `per_page`, as Open Referral UK uses them."""

    page_size_query_param = "per_page"
    max_page_size = 200
