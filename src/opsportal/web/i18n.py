"""The interface's languages, for the pages: `opsportal.i18n`, under the name the pages use.

    from opsportal.web.i18n import _, N_, ngettext, pgettext, using_locale, current_locale

Modules beneath the pages (services, wording, mail) import `opsportal.i18n`
itself: the web layer imports domains that import them, and the import rules
allow no cycle.
"""

from __future__ import annotations

from opsportal.i18n import DEFAULT_LOCALE as DEFAULT_LOCALE
from opsportal.i18n import LOCALES_DIR as LOCALES_DIR
from opsportal.i18n import N_ as N_
from opsportal.i18n import PSEUDO_LOCALE as PSEUDO_LOCALE
from opsportal.i18n import RIGHT_TO_LEFT as RIGHT_TO_LEFT
from opsportal.i18n import SHIPPED_LOCALES as SHIPPED_LOCALES
from opsportal.i18n import SOURCE_LOCALE as SOURCE_LOCALE
from opsportal.i18n import TEMPLATE_PATH as TEMPLATE_PATH
from opsportal.i18n import Message as Message
from opsportal.i18n import _ as _
from opsportal.i18n import available_locales as available_locales
from opsportal.i18n import catalogue_path as catalogue_path
from opsportal.i18n import configure as configure
from opsportal.i18n import current_locale as current_locale
from opsportal.i18n import default_locale as default_locale
from opsportal.i18n import gettext as gettext
from opsportal.i18n import gettext_noop as gettext_noop
from opsportal.i18n import is_available as is_available
from opsportal.i18n import language_name as language_name
from opsportal.i18n import language_of as language_of
from opsportal.i18n import language_tag as language_tag
from opsportal.i18n import ngettext as ngettext
from opsportal.i18n import pgettext as pgettext
from opsportal.i18n import reset_locale as reset_locale
from opsportal.i18n import set_locale as set_locale
from opsportal.i18n import template_gettext as template_gettext
from opsportal.i18n import template_ngettext as template_ngettext
from opsportal.i18n import template_npgettext as template_npgettext
from opsportal.i18n import template_pgettext as template_pgettext
from opsportal.i18n import text_direction as text_direction
from opsportal.i18n import translations as translations
from opsportal.i18n import using_locale as using_locale
