"""core.numbering.next_number: per type and month, gap-free on rollback, distinct under concurrency (STYLE.md §6)."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from keshang.core.models import NumberSequence
from keshang.core.numbering import format_number, next_number, next_numbers

NOVEMBER = datetime.date(2026, 11, 15)


def test_format_is_type_year_month_dash_five_digits():
    # given a type, a period and a value
    # when
    number = format_number("SO", "202611", 42)
    # then
    assert number == "SO202611-00042"


@pytest.mark.django_db
def test_numbers_are_sequential_per_document_type():
    # given nothing numbered yet
    # when orders and invoices are numbered in turn
    numbers = [next_number(doc_type, on=NOVEMBER) for doc_type in ("SO", "SO", "INV", "SO", "INV")]
    # then each type counts on its own
    assert numbers == ["SO202611-00001", "SO202611-00002", "INV202611-00001", "SO202611-00003", "INV202611-00002"]


@pytest.mark.django_db
def test_a_new_month_restarts_at_one_and_the_old_month_carries_on():
    # given two November orders
    next_number("SO", on=datetime.date(2026, 11, 1))
    next_number("SO", on=datetime.date(2026, 11, 30))
    # when December, then a late November order, then November of another year, are numbered
    december = next_number("SO", on=datetime.date(2026, 12, 1))
    late_november = next_number("SO", on=datetime.date(2026, 11, 2))
    last_year = next_number("SO", on=datetime.date(2025, 11, 30))
    # then
    assert december == "SO202612-00001"
    assert late_november == "SO202611-00003"
    assert last_year == "SO202511-00001"


@pytest.mark.django_db
def test_the_default_date_is_todays_date_in_the_local_time_zone(monkeypatch):
    # given 17:30 UTC on 30 November, which is already 1 December in Shanghai
    utc_evening = datetime.datetime(2026, 11, 30, 17, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: utc_evening)
    # when
    number = next_number("SO")
    # then
    assert number == "SO202612-00001"


@pytest.mark.django_db
def test_an_aware_datetime_counts_in_the_local_time_zone():
    # given a document dated 17:30 UTC on 30 November, which is 1 December in Shanghai
    utc_evening = datetime.datetime(2026, 11, 30, 17, 30, tzinfo=datetime.UTC)
    # when
    number = next_number("SO", on=utc_evening)
    # then
    assert number == "SO202612-00001"


@pytest.mark.parametrize("doc_type", ["so", "S-O", "", "SO ", "1SO", "ＳＯ", "SÖ", "销售", "ABCDEFGHIJK", None, 7])
@pytest.mark.django_db
def test_invalid_document_types_are_refused(doc_type):
    # given a type that is not 1-10 upper-case ASCII letters/digits starting with a letter
    # when / then
    with pytest.raises(ValueError, match="A document type is 1-10 upper-case ASCII letters/digits"):
        next_number(doc_type, on=NOVEMBER)
    assert not NumberSequence.objects.exists()


@pytest.mark.django_db
def test_the_longest_document_type_fits_the_sequence_row():
    # given a ten-character type
    # when
    number = next_number("ABCDEFGH12", on=NOVEMBER)
    # then
    assert number == "ABCDEFGH12202611-00001"
    assert NumberSequence.objects.get().doc_type == "ABCDEFGH12"


@pytest.mark.django_db
def test_a_rolled_back_document_gives_its_number_back():
    # given one committed number, then a document whose transaction fails after taking the next one
    next_number("SO", on=NOVEMBER)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number("SO", on=NOVEMBER) == "SO202611-00002"
        raise RuntimeError("saving the document failed")
    # when the next document is numbered
    number = next_number("SO", on=NOVEMBER)
    # then there is no gap
    assert number == "SO202611-00002"


@pytest.mark.django_db
def test_a_rolled_back_first_number_of_a_month_gives_the_sequence_row_back():
    # given the first document of a month fails after taking its number
    with pytest.raises(RuntimeError), transaction.atomic():
        next_number("PO", on=NOVEMBER)
        raise RuntimeError("saving the document failed")
    # when
    number = next_number("PO", on=NOVEMBER)
    # then the month still starts at 1
    assert number == "PO202611-00001"
    assert NumberSequence.objects.get(doc_type="PO", period="202611").last_value == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_get_distinct_gap_free_numbers():
    # given 8 threads, each with its own connection, starting together on a month with no sequence row yet
    thread_count, per_thread = 8, 25
    start = threading.Barrier(thread_count)
    taken: list[list[str]] = [[] for _ in range(thread_count)]
    errors: list[BaseException] = []

    def take_numbers(index):
        try:
            start.wait(timeout=30)
            for _ in range(per_thread):
                with transaction.atomic():
                    taken[index].append(next_number("SO", on=NOVEMBER))
        except BaseException as error:  # noqa: BLE001 - reported to the test thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_numbers, args=(index,)) for index in range(thread_count)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then nobody failed, and the 200 numbers are exactly 1..200, each thread's in increasing order
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    numbers = [number for numbers in taken for number in numbers]
    assert len(numbers) == thread_count * per_thread
    assert sorted(numbers) == [f"SO202611-{value:05d}" for value in range(1, thread_count * per_thread + 1)]
    assert all(numbers == sorted(numbers) for numbers in taken)
    assert NumberSequence.objects.get(doc_type="SO", period="202611").last_value == thread_count * per_thread


@pytest.mark.django_db(transaction=True)
def test_eight_workers_across_a_year_end_with_rollbacks_leave_each_month_gap_free():
    # given 8 threads alternating between December and January, every third document rolled back
    thread_count, per_thread = 8, 12
    december, january = datetime.date(2026, 12, 31), datetime.date(2027, 1, 1)
    start = threading.Barrier(thread_count)
    kept: list[str] = []
    errors: list[BaseException] = []

    class RolledBack(Exception):
        pass

    def take_numbers(index):
        try:
            start.wait(timeout=30)
            for step in range(per_thread):
                try:
                    with transaction.atomic():
                        number = next_number("QT", on=december if (index + step) % 2 else january)
                        if step % 3 == 2:
                            raise RolledBack
                except RolledBack:
                    continue
                kept.append(number)
        except BaseException as error:  # noqa: BLE001 - reported to the test thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_numbers, args=(index,)) for index in range(thread_count)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then each month's kept numbers are exactly 1..n: rolled-back numbers were given back, none repeated
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(kept) == thread_count * per_thread * 2 // 3
    for period in ("202612", "202701"):
        in_period = sorted(number for number in kept if number.startswith(f"QT{period}-"))
        assert in_period == [format_number("QT", period, value) for value in range(1, len(in_period) + 1)]
        assert NumberSequence.objects.get(doc_type="QT", period=period).last_value == len(in_period)
    assert len({number for number in kept if number.startswith("QT202612-")}) == thread_count * per_thread // 3


@pytest.mark.django_db
def test_a_block_of_numbers_is_consecutive_and_the_next_single_number_follows_it():
    on = datetime.date(2026, 12, 7)
    assert next_numbers("IMP", 3, on=on) == ["IMP202612-00001", "IMP202612-00002", "IMP202612-00003"]
    assert next_number("IMP", on=on) == "IMP202612-00004"
    assert next_numbers("IMP", 1, on=on) == ["IMP202612-00005"]


# Dates far from today: a mutant that numbers by today's date instead of the given one must not pass by chance.
LONG_AGO = datetime.date(2020, 3, 5)


@pytest.mark.django_db
def test_an_aware_datetime_long_ago_is_numbered_in_its_own_local_month():
    # given 17:00 UTC on 31 January 2020, which is already 1 February in Shanghai
    # when
    number = next_number("SO", on=datetime.datetime(2020, 1, 31, 17, 0, tzinfo=datetime.UTC))
    # then the February 2020 sequence counts it, not today's month
    assert number == "SO202002-00001"
    assert list(NumberSequence.objects.values_list("period", "last_value")) == [("202002", 1)]


@pytest.mark.django_db
def test_a_block_of_two_moves_only_its_own_sequence_past_both_numbers():
    # given the same type in another month and another type in the same month
    NumberSequence.objects.create(doc_type="IMP", period="202004", last_value=70)
    NumberSequence.objects.create(doc_type="PO", period="202003", last_value=50)
    # when a block of two is taken long ago
    numbers = next_numbers("IMP", 2, on=LONG_AGO)
    # then both are reserved in March 2020 and the next single number follows them
    assert numbers == ["IMP202003-00001", "IMP202003-00002"]
    assert next_number("IMP", on=LONG_AGO) == "IMP202003-00003"
    # and the other rows did not move
    assert NumberSequence.objects.get(doc_type="IMP", period="202004").last_value == 70
    assert NumberSequence.objects.get(doc_type="PO", period="202003").last_value == 50


@pytest.mark.django_db
def test_losing_the_race_to_create_the_month_row_increments_the_winners_row(monkeypatch):
    # given another caller created this month's row (at 5) between our update finding no row and our insert;
    # the same type in another month and another type in this month stand beside it
    NumberSequence.objects.create(doc_type="SO", period="202003", last_value=5)
    NumberSequence.objects.create(doc_type="SO", period="202004", last_value=70)
    NumberSequence.objects.create(doc_type="PO", period="202003", last_value=50)
    real_update = QuerySet.update
    calls = []

    def first_update_finds_nothing(self, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            return 0
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", first_update_finds_nothing)
    # when
    number = next_number("SO", on=LONG_AGO)
    # then the insert fails on the unique period, and the fallback takes the winner's next number
    assert number == "SO202003-00006"
    monkeypatch.undo()
    assert NumberSequence.objects.get(doc_type="SO", period="202003").last_value == 6
    assert NumberSequence.objects.get(doc_type="SO", period="202004").last_value == 70
    assert NumberSequence.objects.get(doc_type="PO", period="202003").last_value == 50
