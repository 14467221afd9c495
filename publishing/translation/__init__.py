"""Bilingual publishing in one place, so a reader finds every part of it together.

`state`: how current a translation is and a page's other-language versions (read only);
`actions`: filling a wagtail-localize translation from a catalogue (the writes);
`admin`: the out-of-date marks in the Wagtail admin (imported by PublishingConfig.ready);
`hant`: the automatic Traditional Chinese rendering of `/zh-hans/` pages.
"""
