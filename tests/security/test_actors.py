"""The suite's people are who they claim to be: a test of the fixtures the
whole security suite stands on (a broken login would make every denial pass)."""


def test_each_actor_is_recognised_by_token_and_by_cookie(actors):
    for role, actor in actors.items():
        if actor.user is None:
            continue
        for via in ("token", "cookie"):
            me = actor.action("user_show", via=via, method="GET", id=actor.name)
            assert me.status_code == 200, (role, via, me.text[:200])
            dashboard = actor.get("/dashboard/datasets")
            assert dashboard.status_code == 200 and actor.name in dashboard.text, (role, via)


def test_anonymous_is_nobody(actors):
    dashboard = actors["anonymous"].get("/dashboard/datasets")
    assert "/user/login" in dashboard.url
