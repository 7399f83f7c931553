"""Follow (issue 16, item 3): who may follow what, "Mes abonnements", the
"Suivre" forms, and the outbox page reserved to sysadmins."""

from __future__ import annotations

import pytest
from ckan.plugins import toolkit
from ckan.tests import factories

from ..helpers import MARSEILLE, api, as_user, dataset_fields, org_name
from .conftest import follow, new_call, new_user


def test_a_user_follows_what_they_may_read_and_removes_it(dataset, follower):
    org = api("organization_show", id=org_name(MARSEILLE))
    follow(follower, "dataset", dataset["name"])
    follow(follower, "organization", org["name"])
    follow(follower, "theme", "velo-pietons", channel="digest")
    follow(follower, "search", "?q=vélos&organization=" + org["name"] + "&page=2")
    listed = api("metropole_follow_list", context=as_user(follower))
    assert {(s["object_type"], s["object_id"]) for s in listed} == {
        ("dataset", dataset["id"]), ("organization", org["id"]), ("theme", "velo-pietons"),
        ("search", f"organization={org['name']}&q=v%C3%A9los")}
    # Following twice the same way gives the same subscription.
    assert follow(follower, "dataset", dataset["id"])["id"] in {s["id"] for s in listed}

    someone_else = new_user()
    with pytest.raises(toolkit.NotAuthorized):
        api("metropole_follow_delete", context=as_user(someone_else), id=listed[0]["id"])
    api("metropole_follow_delete", context=as_user(follower), id=listed[0]["id"])
    assert len(api("metropole_follow_list", context=as_user(follower))) == 3


def test_nobody_follows_what_they_may_not_read_or_an_internal_webhook(catalogue, follower):
    private = api("package_create", **dataset_fields(private=True, private_reason="Relecture."))
    with pytest.raises(toolkit.ValidationError) as refused:
        follow(follower, "dataset", private["id"])
    assert "object_id" in refused.value.error_dict
    with pytest.raises(toolkit.ValidationError):
        follow(follower, "theme", "not-a-theme")
    with pytest.raises(toolkit.NotAuthorized):
        api("metropole_follow_create", context=as_user(None), object_type="theme",
            object_id="velo-pietons")
    for url in ("http://169.254.169.254/latest", "http://127.0.0.1:6379/", "file:///etc/passwd"):
        with pytest.raises(toolkit.ValidationError) as refused:
            follow(follower, "theme", "velo-pietons", channel="webhook", webhook_url=url)
        assert "webhook_url" in refused.value.error_dict


def test_follow_forms_and_my_subscriptions_page(app, dataset):
    user = factories.UserWithToken()
    token = {"Authorization": user["token"]}
    page = app.get(f"/dataset/{dataset['name']}", headers=token).get_data(as_text=True)
    assert 'action="/abonnements/suivre"' in page and "Suivre" in page
    org_page = app.get(f"/organization/{org_name(MARSEILLE)}").get_data(as_text=True)
    assert "Se connecter pour suivre" in org_page
    for path, object_type in (("/group/velo-pietons", "theme"),
                              ("/dataset/?q=v%C3%A9los&tags=x", "search")):
        page = app.get(path, headers=token).get_data(as_text=True)
        assert f'name="object_type" value="{object_type}"' in page, path
    call_page = app.get(f"/appels/{new_call(dataset)['id']}").get_data(as_text=True)
    assert "Se connecter pour suivre Défi mobilités" in call_page
    plain_search = app.get("/dataset/", headers=token).get_data(as_text=True)
    assert 'name="object_type" value="search"' not in plain_search

    answer = app.post("/abonnements/suivre", headers=token, follow_redirects=False, data={
        "object_type": "dataset", "object_id": dataset["id"], "channel": "digest",
        "came_from": "//evil.example.org/"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/abonnements")
    mine = app.get("/abonnements", headers=token).get_data(as_text=True)
    assert "Mes abonnements" in mine and "Arceaux vélos de Marseille" in mine
    assert "Courriel, résumé quotidien" in mine
    # A change by cookie without the CSRF token is refused.
    assert app.post("/abonnements/suivre", data={"object_type": "theme",
                                                 "object_id": "velo-pietons"},
                    follow_redirects=False).status_code in (400, 403)


def test_the_outbox_is_for_sysadmins(app):
    user, admin = factories.UserWithToken(), factories.SysadminWithToken()
    assert app.get("/ckan-admin/boite-d-envoi", headers={"Authorization": user["token"]},
                   status=403)
    page = app.get("/ckan-admin/boite-d-envoi", headers={"Authorization": admin["token"]})
    assert "Boîte d'envoi" in page.get_data(as_text=True)


def test_the_demo_fills_the_admins_outbox(catalogue, ckan_config, monkeypatch):
    from ckan import model

    from ckanext.metropole.community import demo as community_demo
    from ckanext.metropole.notifications import demo

    from .conftest import deliveries

    monkeypatch.setitem(ckan_config, "smtp.mail_from", "")   # make run: no SMTP
    if model.Package.get(demo.FOLLOWED_DATASET) is None:
        api("package_create", **dataset_fields(name=demo.FOLLOWED_DATASET,
                                               title="Parkings relais de la métropole"))
    site_user = api("get_site_user")
    community_demo.load_demo_reuses(site_user["id"])
    demo.load_demo_notifications()
    demo.load_demo_notifications()   # once
    lea = model.User.get(demo.DEMO_FOLLOWER["name"])
    title = model.Package.get(demo.FOLLOWED_DATASET).title
    kept = deliveries(user_id=lea.id, channel="email", status="kept")
    assert sorted(d.subject for d in kept) == [
        f"Nouveau jeu de données : {title}",
        "Nouvelle réutilisation des données : Mon P+R — trouver un parking relais"]
