"""Placeholder: the glue that lets Starfleet's own ships run under starfleetd is written separately."""


def install():
    pass
