from django.contrib.admin.apps import AdminConfig


class InfluenceMapAdminConfig(AdminConfig):
    """django.contrib.admin with the site from influence_map.admin_site."""

    default_site = "influence_map.admin_site.InfluenceMapAdminSite"
