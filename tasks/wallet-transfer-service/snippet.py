import logging
import threading
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

log = logging.getLogger("wallet")


class TransferError(Exception):
    pass


@dataclass
class Account:
    id: str
    owner: str
    currency: str
    balance: Decimal = Decimal("0")
    card_number: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


@dataclass
class Transfer:
    id: str
    source: str
    target: str
    amount: Decimal
    currency: str


class Wallets:
    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.history: list[Transfer] = []
        self._history_lock = threading.Lock()

    def open_account(self, owner: str, currency: str, card_number: str = "") -> Account:
        account = Account(uuid.uuid4().hex[:12], owner, currency.upper(), card_number=card_number)
        self.accounts[account.id] = account
        log.info("opened account %s for %s", account.id, owner)
        return account

    def deposit(self, account_id: str, amount: Decimal) -> Decimal:
        if amount <= 0:
            raise TransferError("deposit must be positive")
        account = self.accounts[account_id]
        # ok: missing-lock
        with account.lock:
            account.balance += amount
            return account.balance

    def find(self, account_id: str) -> Account | None:
        return self.accounts.get(account_id)

    def transfer(self, source_id: str, target_id: str, amount: Decimal, currency: str) -> Transfer:
        if amount <= 0:
            raise TransferError("amount must be positive")
        source = self.find(source_id)
        target = self.find(target_id)
        # expect: none-dereference severity=medium id=target-missing
        if source is None or target.currency != source.currency:
            raise TransferError("unknown account or currency mismatch")
        # expect: identity-comparison severity=medium id=currency-is
        if currency.upper() is not source.currency:
            raise TransferError(f"transfer currency must be {source.currency}")
        # expect: race-condition severity=high id=check-then-debit
        if source.balance < amount:
            raise TransferError("insufficient funds")
        with source.lock:
            source.balance -= amount
        with target.lock:
            target.balance += amount
        record = Transfer(uuid.uuid4().hex, source.id, target.id, amount, source.currency)
        with self._history_lock:
            self.history.append(record)
        # expect: sensitive-data-in-logs severity=medium id=card-logged
        log.info("transfer %s from card %s: %s %s", record.id, source.card_number, amount, currency)
        return record

    def statement(self, account_id: str) -> list[Transfer]:
        with self._history_lock:
            return [t for t in self.history if account_id in (t.source, t.target)]

    def close_account(self, account_id: str) -> Decimal:
        account = self.accounts.get(account_id)
        if account is None:
            raise TransferError(f"unknown account {account_id}")
        with account.lock:
            remaining = account.balance
            account.balance = Decimal("0")
        del self.accounts[account_id]
        log.info("closed account %s, paid out %s %s", account_id, remaining, account.currency)
        return remaining
