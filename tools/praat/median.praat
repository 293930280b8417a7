# Median F0 (Hz) of Praat's autocorrelation pitch track, for the pitch-shift
# reference column of tools/bench-pitch.  Prints 0 if nothing is voiced.
#   praat --run median.praat FILE FLOOR CEILING
form Median
    sentence file
    real floor 75
    real ceiling 600
endform
s = Read from file: file$
p = To Pitch (ac): 0.01, floor, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, ceiling
m = Get quantile: 0, 0, 0.5, "Hertz"
if m = undefined
    m = 0
endif
writeInfoLine: fixed$(m, 3)
