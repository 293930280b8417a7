# Syllable nuclei and speaking span after de Jong & Wempe (2009),
# "Praat script to detect syllable nuclei and measure speech rate
# automatically", Behavior Research Methods 41(2), 385-390.
#
# This is an independent re-implementation of the algorithm of their
# "Praat Script Syllable Nuclei v2" (2008, revised 2010/2011 by Quené,
# Persoon & de Jong), written for tools/bench-rate as the reference method.
# Defaults are the published ones:
#   * Intensity: To Intensity 50 Hz minimum pitch, time step 0 (auto),
#     subtract mean yes.
#   * Threshold = 0.99 quantile of intensity + silence threshold (-25 dB),
#     but never below the minimum intensity.
#   * Silences: Intensity To TextGrid (silences) with the same threshold
#     (expressed relative to the intensity maximum, as the script does),
#     minimum silent interval 0.3 s, minimum sounding interval 0.1 s.
#   * Peaks: maxima of the intensity contour (Sinc70) above the threshold.
#     A peak is kept when the minimum between it and the NEXT peak above
#     the threshold is more than 2 dB below it (the published "peak-dip"
#     check; the last peak therefore never counts, as in the original).
#   * The kept peak must be voiced (To Pitch (ac): 0.02 s, floor 30 Hz,
#     4 candidates, not very accurate, silence 0.03, voicing 0.25, octave
#     cost 0.01, octave-jump 0.35, voiced/unvoiced 0.25, ceiling 450 Hz)
#     and lie in a "sounding" interval.
#
# Option algorithm$ = "v3" uses the later "dip-peak-dip" parser of the
# Syllable Nuclei v3 script (de Jong, Pacilly & Heeren 2021): voiced peaks
# (IntensityTier peaks) above the threshold, the highest peak between two
# dips of more than the minimum dip, in a sounding interval; the last
# nucleus can count.  band_pass = 1 filters 300-3300 Hz (Hann, 100 Hz
# smoothing) first, as v3's optional pre-processing does.
#
# Output (Info window / stdout), one line:
#     nsyll span_start span_end
# where the span runs from the start of the first to the end of the last
# sounding interval (so nsyll / (span_end - span_start) is the speaking rate
# over the speech span, vmcheck's definition).  If no sounding interval is
# found the span is "0 0".
# If list_pauses > 0, more lines "pause START END" follow: the silent
# intervals of at least list_pauses seconds between the first and the last
# sounding interval, from a second To TextGrid (silences) with the same
# threshold (the syllable count always uses minimum_pause).
#
# Usage:
#   praat --run syllable_nuclei.praat FILE SILENCE_DB MIN_DIP MIN_PAUSE \
#         ALGORITHM BAND_PASS LIST_PAUSES      (praat --run needs all seven)
#   praat --run syllable_nuclei.praat /abs/a.wav -25 2 0.3 v2 0 0.25
# Give FILE as an absolute path: Praat resolves relative paths against the
# script's folder, not the current directory.

form Syllable nuclei
    sentence file
    real silence_threshold_db -25
    real minimum_dip_db 2
    real minimum_pause_s 0.3
    word algorithm v2
    integer band_pass 0
    real list_pauses 0
endform

sound = Read from file: file$
if band_pass
    filtered = Filter (pass Hann band): 300, 3300, 100
    removeObject: sound
    sound = filtered
endif
selectObject: sound
nch = Get number of channels
if nch > 1
    mono = Convert to mono
    removeObject: sound
    sound = mono
endif

selectObject: sound
intensity = To Intensity: 50, 0, "yes"
minint = Get minimum: 0, 0, "Parabolic"
maxint = Get maximum: 0, 0, "Parabolic"
q99 = Get quantile: 0, 0, 0.99
threshold = q99 + silence_threshold_db
if threshold < minint
    threshold = minint
endif
# To TextGrid (silences) on an Intensity takes its threshold relative to the
# maximum: this is the same absolute level q99 + silence_threshold_db.
relthreshold = silence_threshold_db - (maxint - q99)

selectObject: intensity
textgrid = To TextGrid (silences): relthreshold, minimum_pause_s, 0.1, "silent", "sounding"
nint = Get number of intervals: 1
span_start = 0
span_end = 0
nsounding = 0
for i to nint
    lab$ = Get label of interval: 1, i
    if lab$ = "sounding"
        nsounding += 1
        if nsounding = 1
            span_start = Get start time of interval: 1, i
        endif
        span_end = Get end time of interval: 1, i
    endif
endfor

selectObject: sound
pitch = To Pitch (ac): 0.02, 30, 4, "no", 0.03, 0.25, 0.01, 0.35, 0.25, 450

nsyll = 0
if algorithm$ = "v2"
    @nucleiV2
elsif algorithm$ = "v3"
    @nucleiV3
else
    exitScript: "algorithm must be v2 or v3, not ", algorithm$
endif

writeInfoLine: nsyll, " ", fixed$(span_start, 4), " ", fixed$(span_end, 4)

if list_pauses > 0 and nsounding > 0
    selectObject: intensity
    tgp = To TextGrid (silences): relthreshold, list_pauses, 0.1, "silent", "sounding"
    np = Get number of intervals: 1
    for i to np
        lab$ = Get label of interval: 1, i
        ps = Get start time of interval: 1, i
        pe = Get end time of interval: 1, i
        if lab$ = "silent" and i > 1 and i < np
            appendInfoLine: "pause ", fixed$(ps, 4), " ", fixed$(pe, 4)
        endif
    endfor
    removeObject: tgp
endif

removeObject: sound, intensity, textgrid, pitch

# ---------------------------------------------------------------------------
# v2 (published): extrema of the intensity contour, peak-dip check, voicing.
procedure nucleiV2
    selectObject: intensity
    .matrix = Down to Matrix
    .contour = To Sound (slice): 1
    .points = To PointProcess (extrema): 1, "yes", "no", "Sinc70"
    .n = Get number of points
    .npk = 0
    for .i to .n
        selectObject: .points
        .t = Get time from index: .i
        selectObject: .contour
        .v = Get value at time: 1, .t, "cubic"
        if .v > threshold
            .npk += 1
            .pt[.npk] = .t
            .pv[.npk] = .v
        endif
    endfor
    # keep peak p when the dip up to the next peak is deeper than the minimum
    .nvalid = 0
    if .npk > 0
        selectObject: intensity
        .curt = .pt[1]
        .curv = .pv[1]
        for .p to .npk - 1
            .dip = Get minimum: .curt, .pt[.p + 1], "none"
            if abs(.curv - .dip) > minimum_dip_db
                .nvalid += 1
                .valid[.nvalid] = .pt[.p]
            endif
            .curt = .pt[.p + 1]
            .curv = Get value at time: .pt[.p + 1], "cubic"
        endfor
    endif
    for .i to .nvalid
        .t = .valid[.i]
        selectObject: textgrid
        .k = Get interval at time: 1, .t
        .lab$ = Get label of interval: 1, .k
        selectObject: pitch
        .f0 = Get value at time: .t, "Hertz", "linear"
        if .f0 <> undefined and .lab$ = "sounding"
            nsyll += 1
        endif
    endfor
    removeObject: .matrix, .contour, .points
endproc

# ---------------------------------------------------------------------------
# v3 option: voiced peaks above threshold, dip-peak-dip parser.
procedure nucleiV3
    selectObject: intensity
    .tier = To IntensityTier (peaks)
    .n = Get number of points
    .npk = 0
    for .i to .n
        selectObject: .tier
        .t = Get time from index: .i
        .v = Get value at index: .i
        selectObject: pitch
        .f0 = Get value at time: .t, "Hertz", "linear"
        if .v > threshold and .f0 <> undefined
            .npk += 1
            # peaks at even, minima between them at odd positions
            .x[2 * .npk] = .t
            .db[2 * .npk] = .v
        endif
    endfor
    selectObject: intensity
    .x[0] = Get start time
    .x[2 * (.npk + 1)] = Get end time
    for .j to .npk + 1
        .x[2 * .j - 1] = Get time of minimum: .x[2 * (.j - 1)], .x[2 * .j], "parabolic"
        .db[2 * .j - 1] = Get minimum: .x[2 * (.j - 1)], .x[2 * .j], "parabolic"
    endfor
    .t0 = .x[0]
    .rise = .t0
    .fall = .t0
    .tmax = .t0
    .dbmax = .db[1]
    .dbmin = .db[1]
    for .j to 2 * .npk + 1
        if .db[.j] > .dbmax
            .tmax = .x[.j]
            .dbmax = .db[.j]
            if .db[.j] - .dbmin > minimum_dip_db
                .rise = .x[.j]
                .dbmin = .db[.j]
            endif
        elsif .db[.j] < .dbmin
            .dbmin = .db[.j]
            if .dbmax - .db[.j] > minimum_dip_db
                .fall = .x[.j]
                .dbmax = .db[.j]
            endif
        endif
        if .rise <> .t0 and .rise < .fall and .fall <> .t0
            selectObject: textgrid
            .k = Get interval at time: 1, .tmax
            .lab$ = Get label of interval: 1, .k
            if .lab$ = "sounding"
                nsyll += 1
                .tmax = .x[.j]
                .dbmin = .db[.j]
                .dbmax = .db[.j]
                .rise = .t0
                .fall = .t0
            endif
        endif
    endfor
    removeObject: .tier
endproc
