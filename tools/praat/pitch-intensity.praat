# Speed reference for tools/bench-pitch: read a file, compute Praat's
# autocorrelation pitch and its intensity contour, print nothing per frame.
#   praat --run pitch-intensity.praat FILE FLOOR CEILING
form PitchIntensity
    sentence file
    real floor 75
    real ceiling 600
endform
s = Read from file: file$
p = To Pitch (ac): 0.01, floor, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, ceiling
selectObject: s
i = To Intensity: 100, 0.01, "yes"
np = Get number of frames
writeInfoLine: "intensity frames: ", np
