"""Bad input the forms cannot send but the API accepts (JSON of another
shape, paging that is not a number), spam-like text in every free-text
field, and datasets made private after being linked: each gets a
field-level message or is hidden, never a 500 (the API answers a
ValidationError with 409 and any other exception with 500)."""

from __future__ import annotations

import pytest
from ckan.plugins import toolkit

from ..helpers import api, as_user, dataset_fields
from .conftest import new_user
from .test_calls import call_fields
from .test_data_requests import ask
from .test_reuses import propose

pytestmark = pytest.mark.usefixtures("catalogue")
LINK = "https://casino.example.com/bonus"
SEARCHES = ("metropole_reuse_search", "metropole_call_search", "metropole_data_request_search")


def refused(call, *args, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(toolkit.ValidationError) as error:
        call(*args, **kwargs)
    return error.value.error_dict


def test_fields_of_another_shape_get_a_field_level_message(proposer, steward, public_dataset):
    for shape in ({"name": public_dataset["name"]}, 42, [["nested"]]):
        assert "datasets" in refused(propose, proposer, public_dataset, datasets=shape), shape
        assert "themes" in refused(propose, proposer, public_dataset, themes=shape), shape
        assert "communes" in refused(ask, proposer, communes=shape), shape
        assert "datasets" in refused(api, "metropole_call_create", as_user(steward),
                                     **call_fields(None, datasets=shape)), shape


def test_paging_that_is_not_a_number_gets_a_message(proposer):
    for action in SEARCHES:
        for params in ({"rows": "beaucoup"}, {"start": "début"}, {"rows": [1]}):
            assert set(refused(api, action, as_user(None), **params)) <= {"rows", "start"}, (
                action, params)
        # Out of range is bounded, not refused.
        assert api(action, as_user(None), rows=-5, start=-1)["count"] >= 0
    admin = new_user(sysadmin=True)
    assert "limit" in refused(api, "metropole_empty_searches", as_user(admin), limit="tous")


def test_links_only_is_refused_in_every_free_text_field(proposer, public_dataset):
    assert "title" in refused(propose, proposer, public_dataset, title=LINK)
    assert "description" in refused(propose, proposer, public_dataset, description=LINK)
    assert "title" in refused(ask, proposer, title=LINK)
    assert "reason" in refused(ask, proposer, reason=f"{LINK} {LINK}/2")


def test_a_call_hides_a_dataset_made_private_after_it_was_offered(steward):
    dataset = api("package_create", **dataset_fields())
    call = api("metropole_call_create", as_user(steward), **call_fields(dataset))
    api("package_patch", id=dataset["id"], private=True, private_reason="Erreur à corriger.")
    assert api("metropole_call_show", as_user(None), id=call["id"])["datasets"] == []
    assert api("metropole_call_show", as_user(new_user()), id=call["id"])["datasets"] == []
    shown = api("metropole_call_show", as_user(steward), id=call["id"])["datasets"]
    assert [d["name"] for d in shown] == [dataset["name"]]
    # Nor does the search by dataset reveal that the private dataset is offered.
    assert api("metropole_call_search", as_user(None), dataset_id=dataset["id"])["count"] == 0
