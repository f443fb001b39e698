"""What the badge's QR code costs in one badge chunk (`Badges.make_chunk`), before and now.

    DIALOGUE_INSTANCE=/tmp/qr STORAGE_DIR=/tmp/qr/files python bench/generate.py --sessions 10 \
        --delegates 1000 --delegations 10 --largest 200 --slug qrbench
    DIALOGUE_INSTANCE=/tmp/qr STORAGE_DIR=/tmp/qr/files python bench/badge_qr_bench.py --slug qrbench --rounds 3

Renders the first chunk of the event's badges (`--chunk` badges at most, default 200) with each way of
making the QR code, interleaved round by round so that the machine's load touches both alike:
"before" is segno's PNG of 4 pixels a module (1-bit, which WeasyPrint turns into RGB), "now" is
`badge_qr`. For each: the chunk's time a badge (best and median), `badge_qr` alone on as many URLs
and its share of the chunk, and under cProfile the share of the QR function plus WeasyPrint's handling
of images (decoding the data: URL, the image, its PDF stream). cProfile slows pure Python (segno) more
than WeasyPrint's C libraries, so its shares are upper bounds; the unprofiled times are the real ones.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

import segno

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dialogue import create_app
from dialogue.delegates import jobs as badge_jobs
from dialogue.extensions import db
from dialogue.jobs.models import Job
from dialogue.sessions.models import Event

NOW = badge_jobs.badge_qr
IMAGES = {("weasyprint/images.py", "get_image_from_uri"), ("weasyprint/images.py", "get_x_object"),
          ("dialogue/pdf.py", "_data_url")}


def before(url: str) -> str:
    """badge_qr until 26 November 2026: segno's 1-bit PNG, 4 pixels a module."""
    return segno.make(url, error="m", mask=0).png_data_uri(scale=4, border=1)


def measure(kind, job, params, count, urls, qr) -> tuple[float, float, float, float]:
    """(chunk ms a badge, badge_qr alone ms a badge, cProfile share of the QR, of WeasyPrint's images)."""
    badge_jobs.badge_qr = qr
    t0 = time.perf_counter()
    kind.make_chunk(job, params)
    chunk = (time.perf_counter() - t0) / count * 1000
    t0 = time.perf_counter()
    for url in urls:
        qr(url)
    alone = (time.perf_counter() - t0) / count * 1000
    profile = cProfile.Profile()
    profile.enable()
    kind.make_chunk(job, params)
    profile.disable()
    stats = pstats.Stats(profile)
    own = sum(v[3] for k, v in stats.stats.items() if k[2] == qr.__code__.co_name)
    images = sum(v[3] for k, v in stats.stats.items() if any(k[0].endswith(f) and k[2] == n for f, n in IMAGES))
    return chunk, alone, own / stats.total_tt, images / stats.total_tt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", default="qrbench")
    parser.add_argument("--chunk", type=int, default=200, help="badges in the chunk at most (BADGES_PER_CHUNK)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    app = create_app()
    app.config["BADGES_PER_CHUNK"] = args.chunk
    ways = {"before": before, "now": NOW}
    with app.app_context():
        event = db.session.scalar(db.select(Event).where(Event.slug == args.slug))
        job = Job(key="bench", event=event, event_id=event.id, kind="badges", language="en", params={})
        kind = badge_jobs.Badges()
        params, count = kind.plan(job)[0]
        urls = [f"http://127.0.0.1/en/manage/events/{args.slug}/badges/{i:016d}" for i in range(count)]
        kind.make_chunk(job, params)  # fonts, templates
        results: dict[str, list] = {name: [] for name in ways}
        for _round in range(args.rounds):
            for name, qr in ways.items():
                results[name].append(measure(kind, job, params, count, urls, qr))
        badge_jobs.badge_qr = NOW
    print(f"{count} badges in the chunk, {args.rounds} rounds")
    for name, rows in results.items():
        chunk, alone, own, images = ([row[i] for row in rows] for i in range(4))
        print(f"{name:6s} chunk {min(chunk):.2f} ms a badge (median {statistics.median(chunk):.2f}); QR alone "
              f"{statistics.median(alone):.2f} ms = {statistics.median(alone) / statistics.median(chunk):.1%} of the "
              f"chunk; cProfile: QR {statistics.median(own):.1%} + WeasyPrint's images "
              f"{statistics.median(images):.1%} = {statistics.median(own) + statistics.median(images):.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
