"""Measure the ONS Postcode Directory import: speed, and memory against file size.

Writes a synthetic CSV in the ONSPD layout (53 columns, about 500 bytes a row like the
real ~1.3 GB, 2.7M-row file; 1% without coordinates, 1% terminated), then imports
N/2 and N rows, each in a fresh process so that each peak RSS (getrusage's high-water
mark) is that import's own. Each import runs twice: new rows, then the same file again
(every row unchanged). A process that imports an empty file gives the baseline.

The synthetic postcodes use the areas QQ, QZ and ZZ, which no real postcode uses; they
are deleted before and after each run, so the database's real postcodes are untouched.

    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_postcodes_import.py
    .venv/bin/python scripts/bench_postcodes_import.py --full   # 2,700,000 rows
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FULL_ROWS = 2_700_000
AREAS = ("QQ", "QZ", "ZZ")  # never used by real postcodes
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters an inward code may use
DISTRICT_SUFFIXES = ("", *"ABCDEFGHJKMNPRSTUVWXY0123456789")  # ZZ1, ZZ1A, ZZ10 ...
CAPACITY = len(AREAS) * 10 * len(DISTRICT_SUFFIXES) * 10 * len(UNIT_LETTERS) ** 2
HEADER = (
    "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,"
    "osnrth1m,osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,"
    "statsward,oa01,casward,npark,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,wz11,"
    "sicbl,bua24,ru11ind,oac11,lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21,"
    "ruc21ind"
)
# Every column after long, with values of the real file's widths.
_TAIL = (
    '"E37000021","","E23000021",{imd},"E56000030","E54000015","E00130{n:03d}",'
    '"E01028{n:03d}","E02005{n:03d}","UN1"'
)


def synthetic_postcodes() -> Iterator[tuple[str, str, str]]:
    """(pcd, pcd2, pcds) for 3 areas x 320 districts x 10 sectors x 400 units."""
    for area in AREAS:
        for digit in "0123456789":
            for suffix in DISTRICT_SUFFIXES:
                outward = f"{area}{digit}{suffix}"
                for sector in "0123456789":
                    for first in UNIT_LETTERS:
                        for second in UNIT_LETTERS:
                            inward = f"{sector}{first}{second}"
                            # pcd is 7 characters wide, pcd2 8, pcds as written.
                            pcd, pcd2 = outward.ljust(4) + inward, outward.ljust(5) + inward
                            yield pcd, pcd2, f"{outward} {inward}"


def csv_write(path: Path, rows: int, seed: int = 2025) -> int:
    """Write `rows` synthetic ONSPD rows (streamed); return the file's size."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    with path.open("w", newline="") as out:
        out.write(HEADER + "\n")
        for index, (pcd, pcd2, pcds) in enumerate(synthetic_postcodes()):
            if index >= rows:
                break
            n = index % 1000
            roll = rng.random()
            if roll < 0.01:
                lat, lon, east, north, grid = "99.999999", "0.000000", '""', '""', 9
            else:
                lat = f"{rng.uniform(50.0, 58.6):.6f}"
                lon = f"{rng.uniform(-5.7, 1.7):.6f}"
                east, north, grid = str(rng.randrange(100000, 650000)), "300000", 1
            doterm = '"201206"' if 0.01 <= roll < 0.02 else '""'
            out.write(
                f'"{pcd}","{pcd2}","{pcds}","198001",{doterm},"E10000018","E58000{n:03d}",'
                f'"E07000{n % 300:03d}","E05009{n:03d}","E43000{n:03d}",0,{east},{north},'
                f'{grid},"E18000004","E40000011","E92000001","E12000004",0,"E14001{n:03d}",'
                f'"E15000004","E24000{n:03d}","E30000{n:03d}","E16000{n:03d}","E06000{n:03d}",'
                f'"00FN{n % 100:02d}","E00130{n:03d}","00FNNA","E99999999","E01028{n:03d}",'
                f'"E02005{n:03d}","A","3B2","E00130{n:03d}","E01028{n:03d}","E02005{n:03d}",'
                f'"E33003{n:03d}","E38000{n:03d}","E63008{n:03d}","C1","5B3",{lat},{lon},'
                + _TAIL.format(imd=rng.randrange(1, 32845), n=n)
                + "\n"
            )
    return path.stat().st_size


def _django() -> None:
    sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epurse.settings")
    import django

    django.setup()


def _synthetic_delete() -> None:
    # Plain SQL: QuerySet.delete() would load every row it deletes into memory.
    from django.db import connection

    from catalogue.models import Postcode

    with connection.cursor() as cursor:
        for area in AREAS:
            cursor.execute(
                f"DELETE FROM {Postcode._meta.db_table} WHERE postcode LIKE %s",  # noqa: S608
                [area + "%"],
            )


def child(path: Path, batch_size: int) -> None:
    """One measured import, in a process of its own: print its figures as JSON."""
    from catalogue.postcodes import ProgressBar, postcodes_import_onspd

    _synthetic_delete()
    figures: dict[str, float] = {}
    try:
        for run in ("new", "again"):
            progress = ProgressBar.to_stream(sys.stderr, label=f"  {run:<5}")
            started = time.perf_counter()
            result = postcodes_import_onspd(path=path, progress=progress, batch_size=batch_size)
            seconds = time.perf_counter() - started
            figures[f"{run}_seconds"] = seconds
            figures[f"{run}_rows_per_second"] = result.rows / seconds if seconds else 0.0
            figures[f"{run}_created"] = result.created
            figures[f"{run}_unchanged"] = result.unchanged
        figures["rows"] = result.rows
        figures["no_coordinates"] = result.no_coordinates
        figures["terminated"] = result.terminated
        figures["bad"] = result.bad
        # Linux reports ru_maxrss in kilobytes.
        figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        _synthetic_delete()
    print(json.dumps(figures))


def measure(path: Path, batch_size: int) -> dict[str, float]:
    done = subprocess.run(  # noqa: S603 - this script, with our arguments
        [sys.executable, __file__, "--child", str(path), "--batch-size", str(batch_size)],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="N (default 200,000).")
    parser.add_argument("--full", action="store_true", help=f"N = {FULL_ROWS:,}.")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    _django()
    from catalogue.postcodes import DEFAULT_BATCH_SIZE

    batch_size = options.batch_size or DEFAULT_BATCH_SIZE
    if options.child:
        child(options.child, batch_size)
        return
    rows = FULL_ROWS if options.full else options.rows
    if not 2 <= rows <= CAPACITY:
        parser.error(f"--rows must be between 2 and {CAPACITY:,}")
    with tempfile.TemporaryDirectory(prefix="bench-postcodes-") as folder:
        measured = []
        for count in (0, rows // 2, rows):
            path = Path(folder) / f"onspd_{count}.csv"
            started = time.perf_counter()
            size = csv_write(path, count)
            print(
                f"{count:>9,} rows: wrote {size / 1e6:,.1f} MB in "
                f"{time.perf_counter() - started:.1f}s; importing (batch {batch_size:,})",
                file=sys.stderr,
            )
            measured.append((count, size, measure(path, batch_size)))
            path.unlink()
    print(f"\nONSPD import, batch size {batch_size:,}")
    print(
        f"{'rows':>10} {'file MB':>8} {'new rows/s':>11} {'again rows/s':>13} {'peak RSS MB':>12}"
    )
    for count, size, figures in measured:
        new_rate = f"{figures['new_rows_per_second']:,.0f}" if count else "-"
        again_rate = f"{figures['again_rows_per_second']:,.0f}" if count else "-"
        print(
            f"{count:>10,} {size / 1e6:>8.1f} {new_rate:>11} {again_rate:>13} "
            f"{figures['peak_rss_mb']:>12.1f}"
        )
    last = measured[-1][2]
    print(
        f"\nLast run: {last['new_created']:,.0f} created, then {last['again_unchanged']:,.0f} "
        f"unchanged; {last['no_coordinates']:,.0f} without coordinates skipped, "
        f"{last['terminated']:,.0f} terminated, {last['bad']:,.0f} bad."
    )


if __name__ == "__main__":
    main()
