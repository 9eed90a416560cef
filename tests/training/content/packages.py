"""SCORM packages built by the tests: a small SCO (HTML + JS) that finds the runtime's API,
shows what it resumed from, saves its place, and finishes with a score; in SCORM 1.2 or 2004."""

from __future__ import annotations

import io
import zipfile

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.{ident}" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org1">
    <organization identifier="org1">
      <title>{title}</title>
      <item identifier="item1" identifierref="sco1"><title>{title}</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco1" type="webcontent" adlcp:scormtype="sco" href="{href}">
      <file href="{href}"/>
    </resource>
  </resources>
</manifest>
"""

MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.{ident}" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 3rd Edition</schemaversion></metadata>
  <organizations default="org1">
    <organization identifier="org1">
      <title>{title}</title>
      <item identifier="item1" identifierref="sco1"><title>{title}</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco1" type="webcontent" adlcp:scormType="sco" href="{href}">
      <file href="{href}"/>
    </resource>
  </resources>
</manifest>
"""

SCO_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test SCO</title></head>
<body>
<h1>Test SCO</h1>
<p>Status: <span id="status">loading</span></p>
<p>Entry: <span id="entry"></span></p>
<p>Location: <span id="location"></span></p>
<p>Suspend data: <span id="suspend"></span></p>
<p>Last error: <span id="error">0</span></p>
<button id="next" type="button">Next page</button>
<button id="finish" type="button">Finish with 90</button>
<button id="fail" type="button">Finish with 40</button>
<button id="bad" type="button">Set a bad value</button>
<script src="sco.js"></script>
</body></html>
"""

SCO_JS = r"""
(function () {
  function find(name) {
    var win = window;
    for (var i = 0; i < 10 && win; i++) {
      try { if (win[name]) { return win[name]; } } catch (e) {}
      if (win.parent === win) { break; }
      win = win.parent;
    }
    return null;
  }
  var api2004 = find("API_1484_11");
  var api = api2004 || find("API");
  var v2004 = !!api2004;
  function call(old, now, a, b) { return v2004 ? api[now](a, b) : api[old](a, b); }
  function get(el) { return call("LMSGetValue", "GetValue", el); }
  function set(el, v) { return call("LMSSetValue", "SetValue", el, v); }
  function show(id, v) { document.getElementById(id).textContent = v; }
  var E = v2004
    ? { loc: "cmi.location", exit: "cmi.exit", entry: "cmi.entry" }
    : { loc: "cmi.core.lesson_location", exit: "cmi.core.exit", entry: "cmi.core.entry" };
  call("LMSInitialize", "Initialize", "");
  show("entry", get(E.entry) || "(empty)");
  show("location", get(E.loc) || "(none)");
  show("suspend", get("cmi.suspend_data") || "(none)");
  show("status", "ready");
  document.getElementById("next").addEventListener("click", function () {
    var page = parseInt((get(E.loc) || "page-0").split("-")[1], 10) + 1;
    set(E.loc, "page-" + page);
    set("cmi.suspend_data", "visited=" + page);
    set(E.exit, "suspend");
    if (v2004) { set("cmi.completion_status", "incomplete"); }
    else { set("cmi.core.lesson_status", "incomplete"); }
    call("LMSCommit", "Commit", "");
    show("location", get(E.loc));
    show("suspend", get("cmi.suspend_data"));
    show("status", "saved page " + page);
  });
  function finish(score) {
    var passed = score >= 80;
    if (v2004) {
      set("cmi.score.scaled", String(score / 100));
      set("cmi.score.raw", String(score));
      set("cmi.completion_status", "completed");
      set("cmi.success_status", passed ? "passed" : "failed");
      set("cmi.session_time", "PT1M30S");
      set("cmi.exit", "normal");
    } else {
      set("cmi.core.score.raw", String(score));
      set("cmi.core.lesson_status", passed ? "passed" : "failed");
      set("cmi.core.session_time", "0000:01:30.00");
      set("cmi.core.exit", "");
    }
    call("LMSCommit", "Commit", "");
    call("LMSFinish", "Terminate", "");
    show("status", "finished");
  }
  document.getElementById("finish").addEventListener("click", function () { finish(90); });
  document.getElementById("fail").addEventListener("click", function () { finish(40); });
  document.getElementById("bad").addEventListener("click", function () {
    set(v2004 ? "cmi.completion_status" : "cmi.core.lesson_status", "bogus");
    show("error", String(call("LMSGetLastError", "GetLastError")));
  });
})();
"""

MALICIOUS_JS = r"""
(function () {
  function show(id, v) { document.getElementById(id).textContent = v; }
  var portal = "__PORTAL__";
  show("cookie", document.cookie === "" ? "(empty)" : document.cookie);
  try { show("top", "read: " + window.top.document.title); } catch (e) { show("top", "blocked"); }
  try { show("top-cookie", "read: " + window.top.document.cookie); }
  catch (e) { show("top-cookie", "blocked"); }
  function probe(id, url, options) {
    fetch(url, options).then(function (r) {
      return r.text().then(function (t) {
        show(id, "status " + r.status + ": " + t.slice(0, 80));
      });
    }).catch(function () { show(id, "blocked"); });
  }
  probe("portal-api", portal + "/api/v1/me", { credentials: "include" });
  probe("portal-api-nocors", portal + "/api/v1/me", { credentials: "include", mode: "no-cors" });
  probe("own-api", "/api/v1/me", { credentials: "include" });
  var xhr = new XMLHttpRequest();
  try {
    xhr.open("GET", portal + "/training", false);
    xhr.withCredentials = true;
    xhr.send();
    show("portal-page", "status " + xhr.status);
  } catch (e) { show("portal-page", "blocked"); }
  show("done", "done");
})();
"""

MALICIOUS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evil SCO</title></head>
<body>
<p>cookie: <span id="cookie"></span></p>
<p>top: <span id="top"></span></p>
<p>top cookie: <span id="top-cookie"></span></p>
<p>portal api: <span id="portal-api"></span></p>
<p>portal api no-cors: <span id="portal-api-nocors"></span></p>
<p>own api: <span id="own-api"></span></p>
<p>portal page: <span id="portal-page"></span></p>
<p id="done"></p>
<script src="evil.js"></script>
</body></html>
"""


def zip_bytes(files: dict[str, bytes | str], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def manifest(version: str, *, title: str = "Test SCO course", href: str = "index.html") -> str:
    template = MANIFEST_12 if version == "1.2" else MANIFEST_2004
    return template.format(ident=title.lower().replace(" ", "-"), title=title, href=href)


def sco_package(version: str, *, title: str = "Test SCO course") -> bytes:
    return zip_bytes(
        {
            "imsmanifest.xml": manifest(version, title=title),
            "index.html": SCO_HTML,
            "sco.js": SCO_JS,
            "media/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>',
        }
    )


def malicious_package(version: str, *, portal: str) -> bytes:
    return zip_bytes(
        {
            "imsmanifest.xml": manifest(version, title="Evil course"),
            "index.html": MALICIOUS_HTML,
            "evil.js": MALICIOUS_JS.replace("__PORTAL__", portal),
        }
    )
