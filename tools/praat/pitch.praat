# List Praat's autocorrelation pitch track, one frame per line: "time f0"
# (f0 = 0 where Praat calls the frame unvoiced).  Used by tools/bench-pitch.
#   praat --run pitch.praat FILE FLOOR CEILING
form Pitch
    sentence file
    real floor 75
    real ceiling 600
endform
s = Read from file: file$
p = To Pitch (ac): 0.01, floor, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, ceiling
n = Get number of frames
for i to n
    t = Get time from frame number: i
    f = Get value in frame: i, "Hertz"
    if f = undefined
        f = 0
    endif
    appendInfoLine: fixed$(t, 4), " ", fixed$(f, 2)
endfor
