"""`pip install .` (not editable) gives a portal that starts.

The project is built as a wheel, installed with ``--no-deps`` into a
throw-away virtual environment whose only link to the project's .venv is a
.pth line naming its site-packages (so CKAN and the other dependencies come
from there). A path added by a .pth line is not a site directory: the .pth
files in it — the editable install's finder among them — are not processed,
so the portal's own code can only come from the wheel. CKAN then starts
from that environment with the test configuration; the API answers and the
dataset form renders the scheming schema, which is package data of the core.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT_SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])

# What a portal reads at run time besides Python, one of each kind.
PACKAGE_DATA = (
    "metropole_core/schemas/dataset.yaml",
    "metropole_core/schemas/organization.yaml",
    "metropole_core/schemas/licenses.json",
    "metropole_core/schemas/vocabularies/frequencies.yaml",
    "ckanext/metropole/dcat/shapes/dcat-ap_3_shacl_shapes.ttl",
    "ckanext/metropole/i18n/fr/LC_MESSAGES/ckanext-metropole.mo",
    "ckanext/metropole/config_declaration.yaml",
    "ckanext/metropole/templates/metropole/charter_block.html",
    "ckanext/metropole/public/metropole/logo-aix-marseille-provence.svg",
    "ckanext/metropole/demo/content/marches-forains.csv",
)

# Run by the wheel's environment, from a folder outside the checkout (so
# neither the working directory nor the script's folder puts it on sys.path).
START = textwrap.dedent("""\
    import json, sys
    from importlib.util import find_spec

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from werkzeug.test import Client

    app = make_app(load_config(sys.argv[1]))
    import ckan.plugins.toolkit as toolkit

    with app._wsgi_app.test_request_context():
        site = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
        token = toolkit.get_action("api_token_create")(
            {"ignore_auth": True, "user": site["name"]},
            {"user": site["name"], "name": "wheel-test"})["token"]
    client = Client(app)
    status = client.get("/api/3/action/status_show")
    form = client.get("/dataset/new", headers={"Authorization": token})
    print(json.dumps({
        "status_show": status.status_code,
        "extensions": status.get_json()["result"]["extensions"],
        "form": form.status_code,
        "form_html": form.get_data(as_text=True),
        "origins": {name: find_spec(name).origin for name in (
            "ckanext.metropole.plugin", "metropole_core.schema_files",
            "metropole_harvesters.plugin")},
        "editable_finder": any("editable" in repr(f) for f in sys.meta_path),
    }))
""")


def build_wheel(folder: Path) -> Path:
    # setuptools builds in build/ and never removes what it copied there
    # before: a module deleted since the last build would ship in the wheel.
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "--wheel-dir", str(folder), str(ROOT)], check=True)
    return next(folder.glob("metropole_portal-*.whl"))


def wheel_environment(folder: Path, wheel: Path) -> Path:
    """A venv without pip that sees the project's dependencies through a
    .pth line, with the wheel installed into it; its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    site_packages = Path(subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    # CKAN ships ckanext/__init__.py: in one site-packages (a real install)
    # the wheel's ckanext/metropole sits beside it; across two folders the
    # regular package hides the wheel's part unless its path names it.
    (site_packages / "project-dependencies.pth").write_text(
        f"{PROJECT_SITE_PACKAGES}\n"
        f"import ckanext; ckanext.__path__.insert(0, {str(site_packages / 'ckanext')!r})\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--quiet", str(wheel)], check=True)
    return python


def test_a_wheel_install_gives_a_portal_that_starts(tmp_path):
    wheel = build_wheel(tmp_path / "dist")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [path for path in PACKAGE_DATA if path not in names] == []
    assert not any(name.startswith(("schemas/", "tests/", "harvesters/")) for name in names)

    python = wheel_environment(tmp_path / "venv", wheel)
    script = tmp_path / "start" / "start_portal.py"
    script.parent.mkdir()
    script.write_text(START)
    started = subprocess.run([python, script, str(ROOT / "test.ini")], cwd=script.parent,
                             capture_output=True, text=True, timeout=300,
                             env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert started.returncode == 0, started.stderr[-3000:]
    answer = json.loads(started.stdout.strip().splitlines()[-1])

    installed = str(tmp_path / "venv")
    assert answer["editable_finder"] is False
    assert all(origin.startswith(installed) for origin in answer["origins"].values()), \
        answer["origins"]
    assert answer["status_show"] == 200
    assert {"metropole", "metropole_harvest_runtime"} <= set(answer["extensions"])
    assert answer["form"] == 200
    # Fields of the core's scheming schema, with the French labels of the wheel's .mo.
    assert 'name="access_level"' in answer["form_html"]
    assert 'name="communes"' in answer["form_html"]
