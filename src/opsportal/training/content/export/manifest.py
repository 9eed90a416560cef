"""The SCORM 1.2 manifest (imsmanifest.xml) of an exported track, and its check (pure).

One SCO per course (the course's rendered content and its quiz); each course's
item carries its pass mark as `adlcp:masteryscore`. Shared script and style
are one asset resource each SCO depends on. The XSD files the manifest names are
not shipped in the package: LMSs that validate carry their own copies.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from defusedxml.ElementTree import fromstring

IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (
    f"{IMSCP} imscp_rootv1p1p2.xsd "
    "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd "
    f"{ADLCP} adlcp_rootv1p2.xsd"
)
SHARED = "shared"


@dataclass(frozen=True)
class Sco:
    identifier: str
    title: str
    href: str  # the launch page
    files: tuple[str, ...]  # every file of the SCO, the launch page included
    mastery_score: int | None  # the pass mark in percent, None for a course without a quiz


def build_manifest(
    *, identifier: str, title: str, scos: list[Sco], shared_files: tuple[str, ...]
) -> bytes:
    ET.register_namespace("", IMSCP)
    ET.register_namespace("adlcp", ADLCP)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(
        f"{{{IMSCP}}}manifest",
        {"identifier": identifier, "version": "1.0", f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION},
    )
    metadata = ET.SubElement(root, f"{{{IMSCP}}}metadata")
    ET.SubElement(metadata, f"{{{IMSCP}}}schema").text = "ADL SCORM"
    ET.SubElement(metadata, f"{{{IMSCP}}}schemaversion").text = "1.2"
    organizations = ET.SubElement(root, f"{{{IMSCP}}}organizations", {"default": "track"})
    organization = ET.SubElement(organizations, f"{{{IMSCP}}}organization", {"identifier": "track"})
    ET.SubElement(organization, f"{{{IMSCP}}}title").text = title
    resources = ET.SubElement(root, f"{{{IMSCP}}}resources")
    for sco in scos:
        item = ET.SubElement(
            organization,
            f"{{{IMSCP}}}item",
            {"identifier": f"item-{sco.identifier}", "identifierref": f"res-{sco.identifier}"},
        )
        ET.SubElement(item, f"{{{IMSCP}}}title").text = sco.title
        if sco.mastery_score is not None:
            ET.SubElement(item, f"{{{ADLCP}}}masteryscore").text = str(sco.mastery_score)
        resource = ET.SubElement(
            resources,
            f"{{{IMSCP}}}resource",
            {
                "identifier": f"res-{sco.identifier}",
                "type": "webcontent",
                f"{{{ADLCP}}}scormtype": "sco",
                "href": sco.href,
            },
        )
        for name in sco.files:
            ET.SubElement(resource, f"{{{IMSCP}}}file", {"href": name})
        ET.SubElement(resource, f"{{{IMSCP}}}dependency", {"identifierref": SHARED})
    shared = ET.SubElement(
        resources,
        f"{{{IMSCP}}}resource",
        {"identifier": SHARED, "type": "webcontent", f"{{{ADLCP}}}scormtype": "asset"},
    )
    for name in shared_files:
        ET.SubElement(shared, f"{{{IMSCP}}}file", {"href": name})
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def package_problems(archive: zipfile.ZipFile) -> list[str]:
    """What is wrong with a SCORM 1.2 package: the manifest parsed back and held to its files."""
    names = set(archive.namelist())
    if "imsmanifest.xml" not in names:
        return ["no imsmanifest.xml at the package's root"]
    try:
        root = fromstring(archive.read("imsmanifest.xml"))
    except ET.ParseError as exc:
        return [f"imsmanifest.xml is not well-formed XML: {exc}"]
    problems: list[str] = []
    if root.tag != f"{{{IMSCP}}}manifest":
        problems.append(f"the root element is {root.tag}, not an IMS CP manifest")
    version = root.findtext(f"{{{IMSCP}}}metadata/{{{IMSCP}}}schemaversion")
    if version != "1.2":
        problems.append(f"schemaversion is {version!r}, not '1.2'")
    resources = {r.get("identifier"): r for r in root.iter(f"{{{IMSCP}}}resource")}
    items = list(root.iter(f"{{{IMSCP}}}item"))
    if not items:
        problems.append("the organization has no item")
    for item in items:
        ref = item.get("identifierref")
        resource = resources.get(ref)
        if resource is None:
            problems.append(f"item {item.get('identifier')} refers to no resource ({ref})")
        elif resource.get(f"{{{ADLCP}}}scormtype") != "sco":
            problems.append(f"item {item.get('identifier')} launches {ref}, which is not a SCO")
    for identifier, resource in resources.items():
        href = resource.get("href")
        if href is not None and href not in names:
            problems.append(f"resource {identifier} launches {href}, missing from the package")
        for file in resource.iter(f"{{{IMSCP}}}file"):
            if file.get("href") not in names:
                problems.append(f"resource {identifier} lists {file.get('href')}, missing")
        for dependency in resource.iter(f"{{{IMSCP}}}dependency"):
            if dependency.get("identifierref") not in resources:
                problems.append(f"resource {identifier} depends on a missing resource")
    return problems
