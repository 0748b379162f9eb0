# PowerShell completion for akscli: akscli completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName 'akscli' -ScriptBlock {
    param($WordToComplete, $CommandAst, $CursorPosition)
    # The words before the cursor, without the program name, then the word being completed.
    $words = @($CommandAst.CommandElements |
        Where-Object { $_.Extent.EndOffset -le $CursorPosition } |
        Select-Object -Skip 1 |
        ForEach-Object { $_.ToString() })
    if ($WordToComplete -eq '') {
        $words += ''
    }
    $out = @(& 'akscli' __complete @words 2>$null)
    if ($out.Count -eq 0) { return }
    $directive = [int]($out[-1].TrimStart(':'))
    # A path (FilterFileExt 8, FilterDirs 16): no candidates, so PowerShell completes paths.
    if ($directive -band 24) { return }
    $prefix = ''
    if ($WordToComplete -match '^(-[^=]*=)') { $prefix = $Matches[1] }
    $out | Select-Object -SkipLast 1 | ForEach-Object {
        $value, $description = $_ -split "`t", 2
        if (-not $description) { $description = $value }
        $text = $prefix + $value
        if ($text -like "$WordToComplete*") {
            [System.Management.Automation.CompletionResult]::new($text, $value, 'ParameterValue', $description)
        }
    }
}
