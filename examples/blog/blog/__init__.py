"""Field Notes: a small community blog (Flask + Jinja + SQLite).

Run it the usual Flask way:

    flask --app blog init-db
    flask --app blog run
"""

import os

from flask import Flask


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        DATABASE=os.path.join(app.instance_path, "blog.sqlite"),
    )
    if test_config is None:
        # A deployment overrides SECRET_KEY in instance/config.py.
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)

    os.makedirs(app.instance_path, exist_ok=True)

    from . import auth, db, posts

    db.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(posts.bp)
    app.add_url_rule("/", endpoint="index")
    return app
