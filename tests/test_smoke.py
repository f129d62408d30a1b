def test_settings_load_without_debug(settings):
    assert settings.DEBUG is False
