import functools
import re

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from .db import get_db

bp = Blueprint("auth", __name__, url_prefix="/auth")

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def password_problem(password):
    """The house rule: at least 10 characters, at least one digit. None when the password is fine."""
    if len(password) < 10:
        return "too short"
    if not any(ch.isdigit() for ch in password):
        return "no digit"
    return None


def registration_problems(username, email, password):
    db = get_db()
    problems = {}
    if not username:
        problems["username"] = "missing"
    elif db.execute("SELECT 1 FROM user WHERE username = ?", (username,)).fetchone():
        problems["username"] = "taken"
    if not EMAIL.match(email):
        problems["email"] = "invalid"
    elif db.execute("SELECT 1 FROM user WHERE email = ?", (email,)).fetchone():
        problems["email"] = "taken"
    rule = password_problem(password)
    if rule:
        problems["password"] = rule
    return problems


@bp.route("/register", methods=("GET", "POST"))
def register():
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        email = request.form.get("email", "").strip()
        password = request.form.get("password", "")
        if not registration_problems(username, email, password):
            db = get_db()
            db.execute(
                "INSERT INTO user (username, email, password) VALUES (?, ?, ?)",
                (username, email, generate_password_hash(password)),
            )
            db.commit()
            return redirect(url_for("auth.login"))
        flash("Registration failed.")
    return render_template("auth/register.html")


@bp.route("/login", methods=("GET", "POST"))
def login():
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        user = get_db().execute("SELECT * FROM user WHERE username = ?", (username,)).fetchone()
        if user is None or not check_password_hash(user["password"], password):
            flash("Incorrect username or password.")
        else:
            session.clear()
            session["user_id"] = user["id"]
            return redirect(url_for("index"))
    return render_template("auth/login.html")


@bp.before_app_request
def load_logged_in_user():
    user_id = session.get("user_id")
    g.user = None
    if user_id is not None:
        g.user = get_db().execute("SELECT * FROM user WHERE id = ?", (user_id,)).fetchone()


@bp.route("/logout")
def logout():
    session.clear()
    return redirect(url_for("index"))


def login_required(view):
    @functools.wraps(view)
    def wrapped_view(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.login"))
        return view(**kwargs)

    return wrapped_view
