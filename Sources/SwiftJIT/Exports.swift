@_exported import JITRuntime
@_exported import JITSema
@_exported import JITSyntax
