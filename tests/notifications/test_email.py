"""Notices by email (issue 16, item 3): a real SMTP server on loopback gets
the real message, with a one-click unsubscribe link; private and draft
datasets reach nobody who may not read them; SMTP down keeps the message and
retries it (bounded); no SMTP keeps it in the outbox; the daily digest."""

from __future__ import annotations

import datetime
import re

from ckan import model

from ..helpers import MARSEILLE, api, dataset_fields, org_name, steward_of
from .conftest import deliveries, follow, new_call, new_user


def to(inbox, user: dict) -> list:
    """The messages to this user (others' subscriptions of earlier tests
    hear of these datasets too: the database is kept between tests)."""
    return [mail for mail in inbox.messages if f"<{user['email']}>" in mail["To"]]


def _link(mail_text: str) -> str:
    return re.search(r"http://\S+(/abonnements/desabonner/\S+)", mail_text).group(1)


def test_a_change_emails_the_follower_who_unsubscribes_in_one_click(
        app, jobs, dataset, follower, smtp_inbox):
    jobs()
    subscription = follow(follower, "dataset", dataset["id"])
    api("package_patch", id=dataset["id"], notes="Mis à jour chaque nuit.")
    assert to(smtp_inbox, follower) == []   # the web request only queued a job
    jobs()
    [mail] = to(smtp_inbox, follower)
    text = mail.get_content()
    assert follower["email"] in mail["To"]
    assert mail["Subject"] == "Jeu de données modifié : Arceaux vélos de Marseille"
    assert f"/dataset/{dataset['name']}" in text and "Bonjour" in text
    assert mail["List-Unsubscribe"].strip("<>").endswith(_link(text))

    page = app.get(_link(text))   # no login
    assert page.status_code == 200 and "Vous ne recevrez plus" in page.get_data(as_text=True)
    assert api("metropole_follow_list", context={"user": follower["name"],
                                                 "ignore_auth": False}) == []
    api("package_patch", id=dataset["id"], notes="Encore une fois.")
    jobs()
    assert len(to(smtp_inbox, follower)) == 1
    assert subscription["id"] in _link(text)


def test_a_tampered_unsubscribe_link_gets_a_french_404(app, dataset, follower):
    subscription = follow(follower, "dataset", dataset["id"])
    for path in (f"/abonnements/desabonner/{subscription['id']}/{'0' * 64}",
                 f"/abonnements/desabonner/{subscription['id']}/x",
                 f"/abonnements/desabonner/{'z' * 300}/{'0' * 64}"):
        answer = app.get(path, status=404)
        assert "Ce lien de désabonnement n" in answer.get_data(as_text=True)
    assert api("metropole_follow_list", context={"user": follower["name"],
                                                 "ignore_auth": False})


def test_private_and_draft_datasets_reach_only_who_may_read_them(catalogue, smtp_inbox, jobs):
    member, outsider = steward_of(MARSEILLE), new_user()
    org = org_name(MARSEILLE)
    follow(member, "organization", org)
    follow(outsider, "organization", org)
    follow(outsider, "theme", "velo-pietons")
    follow(outsider, "search", "q=Fichier")
    private = api("package_create", **dataset_fields(
        title="Fichier interne des agents", private=True, private_reason="Relecture."))
    api("package_create", **dataset_fields(title="Fichier brouillon", state="draft"))
    jobs()
    assert [m["Subject"] for m in to(smtp_inbox, member)] == [
        "Nouveau jeu de données : Fichier interne des agents"]
    assert to(smtp_inbox, outsider) == []
    # Made public: now everyone who follows it hears of the change, once
    # (the outsider follows it three ways: organisation, theme, search).
    api("package_patch", id=private["id"], private=False, private_reason="")
    jobs()
    assert len(to(smtp_inbox, member)) == 2
    assert [m["Subject"] for m in to(smtp_inbox, outsider)] == [
        "Jeu de données modifié : Fichier interne des agents"]


def test_smtp_down_keeps_the_message_and_retries_it_a_bounded_number_of_times(
        jobs, dataset, follower, ckan_config, monkeypatch, smtp_inbox):
    from ckanext.metropole.notifications import delivery
    from ckanext.metropole.runtime.background import scheduled_work

    jobs()
    monkeypatch.setitem(ckan_config, "ckanext.metropole.notifications.max_attempts", 3)
    working_server = ckan_config["smtp.server"]
    monkeypatch.setitem(ckan_config, "smtp.server", "127.0.0.1:9")   # nothing listens
    follow(follower, "dataset", dataset["id"])
    api("package_patch", id=dataset["id"], notes="Première modification.")
    jobs()
    api("package_patch", id=dataset["id"], notes="Seconde modification.")
    jobs()
    first, second = deliveries(user_id=follower["id"])
    assert (first.status, first.attempts) == ("retry", 1) and "connected" in first.last_error
    wait = first.next_attempt_at - datetime.datetime.utcnow()
    assert datetime.timedelta(seconds=50) < wait <= datetime.timedelta(seconds=60)

    def due_now() -> None:
        model.Session.query(delivery.Delivery).filter_by(status="retry").update(
            {"next_attempt_at": datetime.datetime.utcnow()})
        model.Session.commit()
        delivery.retry_due()

    due_now()
    assert deliveries(id=first.id)[0].next_attempt_at - datetime.datetime.utcnow() > wait
    due_now()   # third and last try
    assert {(d.status, d.attempts) for d in deliveries(user_id=follower["id"])} == {("failed", 3)}

    # Back up: a message still waiting is sent at its next try.
    monkeypatch.setitem(ckan_config, "ckanext.metropole.notifications.max_attempts", 5)
    model.Session.query(delivery.Delivery).filter_by(id=second.id).update(
        {"status": "retry", "attempts": 1})
    model.Session.commit()
    monkeypatch.setitem(ckan_config, "smtp.server", working_server)
    model.Session.query(delivery.Delivery).filter_by(id=second.id).update(
        {"next_attempt_at": datetime.datetime.utcnow()})
    model.Session.commit()
    scheduled_work({})   # what the worker's scheduler loop runs at each pass
    assert deliveries(id=second.id)[0].status == "sent"
    assert len(to(smtp_inbox, follower)) == 1


def test_without_smtp_the_message_waits_in_the_admins_outbox(
        app, jobs, dataset, follower, ckan_config, monkeypatch):
    from ckan.tests import factories

    jobs()
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "")
    follow(follower, "dataset", dataset["id"])
    api("package_patch", id=dataset["id"], title="Arceaux vélos (2026)")
    jobs()
    [kept] = deliveries(user_id=follower["id"])
    assert kept.status == "kept" and kept.attempts == 0
    admin = factories.SysadminWithToken()
    page = app.get("/ckan-admin/boite-d-envoi",
                   headers={"Authorization": admin["token"]}).get_data(as_text=True)
    assert "Jeu de données modifié : Arceaux vélos (2026)" in page
    assert "gardé (pas de serveur SMTP)" in page


def test_the_daily_digest_groups_a_users_notices_in_english_if_chosen(
        jobs, dataset, follower, smtp_inbox):
    from ckanext.metropole.notifications import periodic

    jobs()
    follow(follower, "dataset", dataset["id"], channel="digest", locale="en")
    api("package_patch", id=dataset["id"], notes="Un.")
    jobs()
    api("resource_create", package_id=dataset["id"], name="Compteurs 2026",
        url="https://example.org/compteurs.csv", format="CSV")
    jobs()
    assert to(smtp_inbox, follower) == []
    assert periodic.send_digests() == 0   # not a day old yet
    tomorrow = datetime.datetime.utcnow() + datetime.timedelta(hours=25)
    assert periodic.send_digests(now=tomorrow) >= 1
    [mail] = to(smtp_inbox, follower)
    text = mail.get_content()
    assert mail["Subject"] == "Your daily digest (2 notices)"
    assert "Dataset changed: Arceaux vélos de Marseille" in text
    assert "New resource in Arceaux vélos de Marseille: Compteurs 2026" in text
    assert "/en/abonnements/desabonner/" in text
    assert periodic.send_digests(now=tomorrow) == 0   # sent once


def test_community_events_reach_their_followers(catalogue, jobs, dataset, smtp_inbox):
    from ckanext.metropole.notifications import periodic

    proposer, requester, follower = new_user(), new_user(), new_user()
    admin = {"user": api("get_site_user")["name"], "ignore_auth": True}
    jobs()
    follow(follower, "dataset", dataset["id"])
    reuse = api("metropole_reuse_create", context={"user": proposer["name"]},
                kind="application", title="Carte des arceaux",
                description="Une carte de tous les arceaux vélos de la ville.",
                url="https://example.org/carte", author="Association Vélo",
                datasets=dataset["name"])
    api("metropole_reuse_moderate", context=admin, id=reuse["id"], decision="publish")
    today = datetime.date.today()
    call = new_call(dataset, closing_in_days=2)
    follow(follower, "call", call["id"])
    request = api("metropole_data_request_create", context={"user": requester["name"]},
                  title="Horaires des piscines", reason="Pour une application familiale.")
    api("metropole_data_request_update", context=admin, id=request["id"],
        status="in_progress")
    jobs()
    periodic.notify_closing_calls()
    periodic.notify_closing_calls()   # told once
    assert sorted(m["Subject"] for m in to(smtp_inbox, follower)) == [
        "L'appel à innovation Défi mobilités se clôt le "
        f"{(today + datetime.timedelta(days=2)).isoformat()}",
        "Nouvel appel à innovation : Défi mobilités",
        "Nouvelle réutilisation des données : Carte des arceaux"]
    assert [m["Subject"] for m in to(smtp_inbox, requester)] == [
        "Votre demande de données Horaires des piscines est désormais : en cours"]


def test_a_change_rolled_back_queues_nothing(jobs, dataset):
    from ckanext.metropole.notifications import events

    jobs()
    model.Session.query(model.Package).get(dataset["id"])   # a transaction, as in an action
    events.note_dataset(dataset)
    model.Session.rollback()
    model.Session.commit()
    assert api("job_list") == []
    events.note_dataset(dataset)
    model.Session.commit()
    assert [job["title"] for job in api("job_list")] == [
        f"Notifications : jeu de données {dataset['id']}"]


def test_a_saved_search_with_display_settings_and_quotes_still_finds_its_datasets(
        catalogue, smtp_inbox, jobs):
    """The "Suivre" box saves the page's whole query string: display
    settings (``_tags_limit``...) are not filters, and a quote in a value
    stays inside its value."""
    follower, quoting = new_user(), new_user()
    follow(follower, "search", "q=Stationnement&_organization_limit=0&_tags_limit=0"
                               f"&organization={org_name(MARSEILLE)}")
    follow(quoting, "search", 'q=Stationnement&title_string=Stationnement des vélos" OR "z')
    api("package_create", **dataset_fields(title="Stationnement des vélos"))
    jobs()
    assert [m["Subject"] for m in to(smtp_inbox, follower)] == [
        "Nouveau jeu de données : Stationnement des vélos"]
    # Unescaped, the quote would have closed the phrase: the exact title.
    assert to(smtp_inbox, quoting) == []
