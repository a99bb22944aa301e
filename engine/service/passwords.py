"""The password rule: long enough and not guessable (zxcvbn's lists and patterns)."""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

from engine.errors import FormInvalid

MIN_LENGTH = 10
MIN_SCORE = 3  # zxcvbn 0..4; 3 = "safely unguessable" against online attacks at scale
MAX_CHECKED = 72  # zxcvbn refuses longer input; a strong prefix makes a strong password

_TEXTS = {
    "too_short": ("密码至少需要{min}个字符。", "The password needs at least {min} characters."),
    "too_common": (
        "密码太常见或太容易猜到（如 12345678、password、键盘序列、姓名或用户名），"
        "请换一个更长、更不规则的密码。",
        "The password is too common or too easy to guess (like 12345678, password, keyboard "
        "runs, names or the user name); choose a longer, less predictable one.",
    ),
}


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """None for an acceptable password, else the id of the message that explains why not."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    inputs = [s for s in user_inputs if s]
    if zxcvbn(password[:MAX_CHECKED], user_inputs=inputs)["score"] < MIN_SCORE:
        return "too_common"
    return None


def require_strong_password(password: str, field: str, user_inputs: Iterable[str] = ()
                            ) -> None:
    """Raise FormInvalid naming field (zh-CN first, then English) unless password is fine."""
    problem = password_problem(password, user_inputs)
    if problem is None:
        return
    zh, en = (text.format(min=MIN_LENGTH) for text in _TEXTS[problem])
    raise FormInvalid(f"{field}: {en}", details={field: [f"{zh} {en}"]})
