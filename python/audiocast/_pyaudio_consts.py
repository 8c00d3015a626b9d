"""PortAudio's constants as PyAudio names them (private; re-exported by
:mod:`audiocast.pyaudio`). The values are PortAudio's, so code that
compares or stores them keeps working."""

# sample formats
paFloat32 = 0x00000001
paInt32 = 0x00000002
paInt24 = 0x00000004
paInt16 = 0x00000008
paInt8 = 0x00000010
paUInt8 = 0x00000020
paCustomFormat = 0x00010000

# host API types
paInDevelopment = 0
paDirectSound = 1
paMME = 2
paASIO = 3
paSoundManager = 4
paCoreAudio = 5
paOSS = 7
paALSA = 8
paAL = 9
paBeOS = 10
paWDMKS = 11
paJACK = 12
paWASAPI = 13
paNoDevice = -1

# error codes
paNoError = 0
paNotInitialized = -10000
paUnanticipatedHostError = -9999
paInvalidChannelCount = -9998
paInvalidSampleRate = -9997
paInvalidDevice = -9996
paInvalidFlag = -9995
paSampleFormatNotSupported = -9994
paBadIODeviceCombination = -9993
paInsufficientMemory = -9992
paBufferTooBig = -9991
paBufferTooSmall = -9990
paNullCallback = -9989
paBadStreamPtr = -9988
paTimedOut = -9987
paInternalError = -9986
paDeviceUnavailable = -9985
paIncompatibleHostApiSpecificStreamInfo = -9984
paStreamIsStopped = -9983
paStreamIsNotStopped = -9982
paInputOverflowed = -9981
paOutputUnderflowed = -9980
paHostApiNotFound = -9979
paInvalidHostApi = -9978
paCanNotReadFromACallbackStream = -9977
paCanNotWriteToACallbackStream = -9976
paCanNotReadFromAnOutputOnlyStream = -9975
paCanNotWriteToAnInputOnlyStream = -9974
paIncompatibleStreamHostApi = -9973

# callback return codes
paContinue = 0
paComplete = 1
paAbort = 2

# callback flags
paInputUnderflow = 0x00000001
paInputOverflow = 0x00000002
paOutputUnderflow = 0x00000004
paOutputOverflow = 0x00000008
paPrimingOutput = 0x00000010

paFramesPerBufferUnspecified = 0
