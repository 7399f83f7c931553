"""Who may do what: a commune's steward, another commune's steward, a
partner, an anonymous visitor and a sysadmin, through the API."""

from __future__ import annotations

import pytest
from ckan.logic import NotAuthorized, NotFound, ValidationError
from ckan.tests import factories

from ..helpers import AIX, MARSEILLE, api, as_user, dataset_fields, org_name, steward_of

pytestmark = pytest.mark.usefixtures("catalogue", "with_request_context")


@pytest.fixture
def marseille_steward():
    return steward_of(MARSEILLE)


@pytest.fixture
def aix_dataset():
    return api("package_create", **dataset_fields(
        owner_org=org_name(AIX), communes=[AIX]))


@pytest.fixture
def aix_private_dataset():
    return api("package_create", **dataset_fields(
        owner_org=org_name(AIX), communes=[AIX], private=True,
        private_reason="En cours de validation"))


@pytest.fixture
def partner():
    org = factories.Organization(org_kind="partner", name="regie-des-eaux",
                                 title="Régie des eaux")
    user = factories.User()
    api("organization_member_create", id=org["id"], username=user["name"],
                role="editor")
    return user, org


def test_a_steward_publishes_in_their_commune(marseille_steward):
    dataset = api("package_create", context=as_user(marseille_steward),
                          **dataset_fields())
    api("package_patch", context=as_user(marseille_steward), id=dataset["id"],
                title="Nouveau titre")
    api("package_delete", context=as_user(marseille_steward), id=dataset["id"])


def test_a_steward_cannot_publish_for_another_commune(marseille_steward):
    with pytest.raises((NotAuthorized, ValidationError)):
        api("package_create", context=as_user(marseille_steward),
                    **dataset_fields(owner_org=org_name(AIX)))


def test_a_steward_cannot_publish_without_an_organisation(marseille_steward):
    fields = dataset_fields()
    del fields["owner_org"]
    with pytest.raises((NotAuthorized, ValidationError)):
        api("package_create", context=as_user(marseille_steward), **fields)


def test_a_steward_cannot_change_or_delete_another_communes_dataset(marseille_steward,
                                                                    aix_dataset):
    with pytest.raises(NotAuthorized):
        api("package_patch", context=as_user(marseille_steward), id=aix_dataset["id"],
                    title="Piraté")
    with pytest.raises(NotAuthorized):
        api("package_delete", context=as_user(marseille_steward), id=aix_dataset["id"])
    assert api("package_show", id=aix_dataset["id"])["title"] == aix_dataset["title"]


def test_private_datasets_are_read_only_by_their_commune_and_sysadmins(
        marseille_steward, aix_private_dataset, sysadmin):
    aix_steward = steward_of(AIX)
    dataset_id = aix_private_dataset["id"]
    for outsider in (marseille_steward, None):
        # Not found rather than refused: a refusal confirms that it exists.
        with pytest.raises(NotFound):
            api("package_show", context=as_user(outsider), id=dataset_id)
        found = api("package_search", context=as_user(outsider),
                            q=f'id:"{dataset_id}"', include_private=True)
        assert found["count"] == 0
    for insider in (aix_steward, sysadmin):
        assert api("package_show", context=as_user(insider), id=dataset_id)["private"]


def test_anonymous_visitors_cannot_publish_change_or_delete(aix_dataset):
    with pytest.raises(NotAuthorized):
        api("package_create", context=as_user(None), **dataset_fields())
    with pytest.raises(NotAuthorized):
        api("package_patch", context=as_user(None), id=aix_dataset["id"], title="x")
    with pytest.raises(NotAuthorized):
        api("package_delete", context=as_user(None), id=aix_dataset["id"])


def test_a_partner_publishes_only_under_convention(partner):
    user, org = partner
    fields = dataset_fields(owner_org=org["id"], access_level="partners",
                            license_id="partner-convention", private=True)
    with pytest.raises(ValidationError) as raised:
        api("package_create", context=as_user(user), **fields)
    assert "convention_ref" in raised.value.error_dict
    dataset = api("package_create", context=as_user(user),
                          **{**fields, "convention_ref": "CONV-EAU-2026"})
    assert dataset["owner_org"] == org["id"]
    with pytest.raises((NotAuthorized, ValidationError)):
        api("package_create", context=as_user(user),
                    **dataset_fields(convention_ref="CONV-EAU-2026"))  # Marseille's org


def test_metropole_administrators_manage_everything(sysadmin, aix_dataset):
    dataset = api("package_create", context=as_user(sysadmin),
                          **dataset_fields(owner_org=org_name(MARSEILLE)))
    api("package_patch", context=as_user(sysadmin), id=aix_dataset["id"], title="Revu")
    api("package_delete", context=as_user(sysadmin), id=dataset["id"])
    api("organization_patch", context=as_user(sysadmin), id=org_name(AIX),
                description="Relu par la métropole")
