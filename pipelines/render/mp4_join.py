"""Join chunk MP4s (same encoder settings, consecutive frame ranges) into one MP4 without re-encoding."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import av

from pipelines.errors import AnalysisError


def join_mp4_chunks(chunk_paths: Sequence[Path], out_path: Path) -> int:
    """Copy the H.264 packets of each chunk, in order, into out_path (+faststart: moov before mdat).

    Chunks carry absolute timestamps (the renderer keeps source pts), so packets are copied as they are;
    all chunks must share one time base and identical SPS/PPS (same size and encoder options), else the
    joined stream would need two sample descriptions, which browsers mishandle. Returns packets written.
    """
    if not chunk_paths:
        raise ValueError("join_mp4_chunks: expected at least one chunk, got none")
    written = 0
    last_dts: int | None = None
    with av.open(str(chunk_paths[0])) as first:
        timescale = first.streams.video[0].time_base
    if timescale is None:
        raise AnalysisError(f"join: {chunk_paths[0].name} has no time base")
    options = {"movflags": "+faststart", "movie_timescale": str(timescale.denominator)}
    with av.open(str(out_path), mode="w", format="mp4", options=options) as out:
        out_stream = None
        extradata: bytes | None = None
        for path in chunk_paths:
            with av.open(str(path)) as chunk:
                stream = chunk.streams.video[0]
                if out_stream is None:
                    out_stream = out.add_stream_from_template(stream)
                    extradata = stream.codec_context.extradata
                elif stream.codec_context.extradata != extradata:
                    raise AnalysisError(f"join: {path.name} was encoded with different parameters (SPS/PPS)")
                for packet in chunk.demux(stream):
                    if packet.size == 0:
                        continue  # demuxer's end-of-stream flush packet
                    if last_dts is not None and packet.dts is not None and packet.dts <= last_dts:
                        raise AnalysisError(
                            f"join: {path.name} starts at dts {packet.dts}, "
                            f"not after the previous chunk's {last_dts}"
                        )
                    last_dts = packet.dts
                    packet.stream = out_stream
                    out.mux(packet)
                    written += 1
    return written
