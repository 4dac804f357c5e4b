"""Open Referral UK v3, read-only and open: each council's approved directory on its
host, the whole approved registry on the platform's host. Paths as the profile's
OpenAPI gives them (no trailing slash); one is accepted too."""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.ApiInfo.as_view(), name="root"),
    re_path(r"^services/?$", views.ServiceList.as_view(), name="services"),
    re_path(r"^services/(?P<pk>[^/]+)/?$", views.ServiceDetail.as_view(), name="service"),
    re_path(r"^taxonomies/?$", views.TaxonomyList.as_view(), name="taxonomies"),
    re_path(r"^taxonomies/(?P<pk>[^/]+)/?$", views.TaxonomyDetail.as_view(), name="taxonomy"),
    re_path(r"^taxonomy_terms/?$", views.TaxonomyTermList.as_view(), name="taxonomy_terms"),
    re_path(
        r"^taxonomy_terms/(?P<pk>[^/]+)/?$",
        views.TaxonomyTermDetail.as_view(),
        name="taxonomy_term",
    ),
    re_path(
        r"^service_at_locations/?$",
        views.ServiceAtLocationList.as_view(),
        name="service_at_locations",
    ),
    re_path(
        r"^service_at_locations/(?P<pk>[^/]+)/?$",
        views.ServiceAtLocationDetail.as_view(),
        name="service_at_location",
    ),
    # Anything else under the feed: a 404 in the feed's format, listing what there is.
    re_path(r"^(?P<rest>.*)$", views.unknown_endpoint, name="unknown"),
]
