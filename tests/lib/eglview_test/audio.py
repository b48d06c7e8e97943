"""Audio for the tests: raw PCM files as SDL's disk driver writes and reads
them (SDL_AUDIODRIVER=disk, SDL_DISKAUDIOFILE / SDL_DISKAUDIOFILEIN: the
device's samples, interleaved, no header), and what the tests measure in
them: the pitch (the FFT's peak), the level, where sound starts and stops.

qemu-eglview opens its devices as F32 at the stream's rate and channels,
so that is the default format here."""

import numpy as np

DTYPES = {"U8": np.uint8, "S16": "<i2", "S32": "<i4", "F32": "<f4"}
SCALE = {"U8": 128.0, "S16": 32768.0, "S32": 2147483648.0, "F32": 1.0}


def read_raw(path, channels, fmt="F32"):
    """frames x channels of floats in -1..1."""
    data = np.fromfile(path, dtype=DTYPES[fmt])
    data = data[: len(data) - len(data) % channels].astype(np.float64)
    if fmt == "U8":
        data -= 128.0
    return (data / SCALE[fmt]).reshape(-1, channels)


def write_tone(path, hz, seconds, rate, channels, fmt="F32", amplitude=0.5):
    """A sine at hz on every channel, for SDL_DISKAUDIOFILEIN."""
    t = np.arange(int(seconds * rate)) / rate
    wave = amplitude * np.sin(2 * np.pi * hz * t)
    frames = np.repeat(wave[:, None], channels, axis=1).reshape(-1)
    if fmt == "F32":
        out = frames.astype("<f4")
    elif fmt == "U8":
        out = np.clip(frames * 127 + 128, 0, 255).astype(np.uint8)
    else:
        out = np.round(frames * (SCALE[fmt] - 1)).astype(DTYPES[fmt])
    out.tofile(path)


def mono(samples):
    return samples.mean(axis=1) if samples.ndim == 2 else samples


def peak_hz(samples, rate):
    """The strongest frequency, Hann-windowed, refined between FFT bins
    (parabolic fit on the log magnitude); None for too short or silent."""
    x = mono(samples)
    if len(x) < 256 or not np.any(x):
        return None
    x = (x - x.mean()) * np.hanning(len(x))
    mag = np.abs(np.fft.rfft(x))
    mag[0] = 0
    k = int(np.argmax(mag))
    if 0 < k < len(mag) - 1:
        a, b, c = np.log(mag[k - 1 : k + 2] + 1e-12)
        k = k + 0.5 * (a - c) / (a - 2 * b + c)
    return k * rate / len(x)


def rms_dbfs(samples):
    """Level against a full-scale square wave (a full-scale sine: -3)."""
    x = mono(samples)
    if len(x) == 0:
        return -200.0
    rms = float(np.sqrt(np.mean(np.square(x))))
    return 20 * np.log10(rms) if rms > 0 else -200.0


def sound_spans(samples, rate, threshold=0.01, gap_s=0.05):
    """[(start_s, end_s)] where |x| exceeds threshold, gaps shorter than
    gap_s joined."""
    loud = np.flatnonzero(np.abs(mono(samples)) > threshold)
    if len(loud) == 0:
        return []
    spans, start, prev = [], loud[0], loud[0]
    for i in loud[1:]:
        if i - prev > gap_s * rate:
            spans.append((start / rate, prev / rate))
            start = i
        prev = i
    spans.append((start / rate, prev / rate))
    return spans


def max_step(samples):
    """The largest jump between neighbouring frames (a click shows as a
    jump far above what the tone's own slope gives)."""
    x = mono(samples)
    return float(np.max(np.abs(np.diff(x)))) if len(x) > 1 else 0.0
