"""A SCORM package's manifest (imsmanifest.xml): its version and the one SCO to launch (pure).

Parsed with defusedxml (no entities, no external references). What we accept:

- SCORM 1.2, and SCORM 2004 (2nd, 3rd and 4th editions), told apart by the
  manifest's `<schemaversion>` and, failing that, by the ADL namespace the
  manifest declares;
- one organization (the `default` one, or the first), whose items refer to
  exactly one SCO resource. A package with several SCOs is refused with a
  message naming them: opsportal plays one SCO per course, which is what the
  common authoring tools publish. Items pointing at assets are ignored.

Every error names the file and the element that is wrong.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

MANIFEST = "imsmanifest.xml"

ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


class ManifestError(ValueError):
    """The manifest is not one we can play; the message names the file and element."""


@dataclass(frozen=True)
class Manifest:
    version: str  # "1.2" or "2004"
    edition: str  # the schemaversion as written, or what the namespace says
    identifier: str
    title: str
    # The SCO's launch path inside the package (with its query string, if any).
    launch_path: str

    @property
    def launch_file(self) -> str:
        """The file the launch path names, without its query string or fragment."""
        return self.launch_path.split("?", 1)[0].split("#", 1)[0]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: Element, name: str) -> Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _scorm_attribute(element: Element, name: str) -> str:
    """An adlcp attribute (scormtype in 1.2, scormType in 2004), whatever its namespace."""
    for key, value in element.attrib.items():
        if _local(key).lower() == name.lower():
            return value.strip()
    return ""


def _version(root: Element, text: bytes) -> tuple[str, str]:
    metadata = _child(root, "metadata")
    schemaversion = _text(_child(metadata, "schemaversion")) if metadata is not None else ""
    lowered = schemaversion.lower()
    if lowered == "1.2":
        return "1.2", schemaversion
    if lowered.startswith("2004") or lowered == "cam 1.3":
        return "2004", schemaversion
    if schemaversion:
        raise ManifestError(
            f"{MANIFEST}: <schemaversion> is {schemaversion!r}; expected 1.2, "
            "2004 3rd Edition or 2004 4th Edition"
        )
    # No schemaversion: the ADL namespace the manifest declares tells the version.
    if ADLCP_2004.encode() in text:
        return "2004", "2004 (from the adlcp_v1p3 namespace)"
    if ADLCP_12.encode() in text:
        return "1.2", "1.2 (from the adlcp_rootv1p2 namespace)"
    raise ManifestError(
        f"{MANIFEST}: no <schemaversion> in <metadata> and no ADL namespace: "
        "this is not a SCORM 1.2 or 2004 manifest"
    )


def _items(element: Element) -> list[Element]:
    """Every <item> under `element`, in document order."""
    found = []
    for item in _children(element, "item"):
        found.append(item)
        found.extend(_items(item))
    return found


def _join(*parts: str) -> str:
    path = ""
    for part in parts:
        path = part if part.startswith("/") or "://" in part else path + part
    return path


def parse_manifest(text: bytes) -> Manifest:
    """The manifest's version and launch path, or ManifestError saying what is wrong."""
    try:
        root = ElementTree.fromstring(text)
    except DefusedXmlException as exc:
        raise ManifestError(f"{MANIFEST}: refused ({exc.__class__.__name__})") from exc
    except ElementTree.ParseError as exc:
        raise ManifestError(f"{MANIFEST} does not parse as XML: {exc}") from exc
    if _local(root.tag) != "manifest":
        raise ManifestError(f"{MANIFEST}: the root element is <{_local(root.tag)}>, not <manifest>")
    version, edition = _version(root, text)

    organizations = _child(root, "organizations")
    if organizations is None or not _children(organizations, "organization"):
        raise ManifestError(f"{MANIFEST}: <organizations> has no <organization>")
    default = organizations.get("default", "").strip()
    candidates = _children(organizations, "organization")
    organization = next((o for o in candidates if o.get("identifier") == default), None)
    if default and organization is None:
        raise ManifestError(
            f"{MANIFEST}: <organizations default={default!r}> names no <organization>"
        )
    organization = organization or candidates[0]

    resources_element = _child(root, "resources")
    if resources_element is None:
        raise ManifestError(f"{MANIFEST}: no <resources> element")
    resources = {r.get("identifier", ""): r for r in _children(resources_element, "resource")}

    scos: list[tuple[Element, Element]] = []
    for item in _items(organization):
        ref = item.get("identifierref")
        if not ref:
            continue
        resource = resources.get(ref)
        if resource is None:
            raise ManifestError(
                f"{MANIFEST}: <item identifier={item.get('identifier')!r}> refers to "
                f"resource {ref!r}, which <resources> does not have"
            )
        if _scorm_attribute(resource, "scormtype").lower() == "sco":
            scos.append((item, resource))
    if not scos:
        raise ManifestError(
            f"{MANIFEST}: <organization identifier={organization.get('identifier')!r}> has no "
            'item that launches a SCO (a <resource> with adlcp:scormType="sco")'
        )
    if len(scos) > 1:
        names = ", ".join(repr(item.get("identifier")) for item, _ in scos)
        raise ManifestError(
            f"{MANIFEST}: <organization> has {len(scos)} SCOs (items {names}); opsportal plays "
            "one SCO per course: publish the package as a single SCO, or upload each as its own"
        )
    item, resource = scos[0]
    href = resource.get("href", "").strip()
    if not href:
        raise ManifestError(
            f"{MANIFEST}: <resource identifier={resource.get('identifier')!r}> has no href"
        )
    base = _join(
        root.get(XML_BASE, ""), resources_element.get(XML_BASE, ""), resource.get(XML_BASE, "")
    )
    launch = _join(base, href)
    parameters = (item.get("parameters") or "").strip()
    if parameters:
        parameters = parameters.lstrip("?&")
        launch += ("&" if "?" in launch else "?") + parameters
    title = _text(_child(organization, "title")) or _text(_child(item, "title"))
    return Manifest(
        version=version,
        edition=edition,
        identifier=(root.get("identifier") or "").strip()[:200],
        title=title[:200],
        launch_path=_normal_launch(launch, resource),
    )


def _normal_launch(launch: str, resource: Element) -> str:
    """The launch path relative to the package root, refused if it leaves the package."""
    if "://" in launch or launch.startswith(("/", "\\")):
        raise ManifestError(
            f"{MANIFEST}: <resource identifier={resource.get('identifier')!r}> launches "
            f"{launch!r}, which is not a file inside the package"
        )
    file, sep, rest = launch.partition("?")
    normal = posixpath.normpath(file)
    if normal.startswith("..") or normal == ".":
        raise ManifestError(
            f"{MANIFEST}: <resource identifier={resource.get('identifier')!r}> launches "
            f"{launch!r}, a path outside the package"
        )
    return normal + sep + rest
