"""Signals the accounts domain sends for other domains to act on, inside its transaction."""

from blinker import Namespace

_signals = Namespace()

#: `email_claimed.send(user, email=...)`: an account now owns this address (sign-up or
#: an added address). Receivers run before the commit, in the same transaction.
email_claimed = _signals.signal("email-claimed")

#: `account_deleting.send(user)`: the account is about to be deleted (everything it owns goes
#: with it, by cascade). Receivers run before the delete, in the same transaction.
account_deleting = _signals.signal("account-deleting")
