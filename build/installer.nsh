; Registratura: additions to electron-builder's NSIS installer (electron-builder.config.ts,
; nsis.include). electron-builder inserts customInstall after it has copied the app and made
; the shortcuts, and customUnInstall before it removes the files (also when an update replaces
; the old version: then ${isUpdated} is true).
;
; 1. tel:, sip: and sips: links open the desk (the schemes src-shared/phone/dial-link.ts reads and
;    desk-app.ts also claims at run time). The ProgIDs Registratura.tel / .sip / .sips and the
;    Capabilities + RegisteredApplications entries make the desk a choice in Windows' "Default
;    apps" (a user's own choice there always wins); the classic Software\Classes\<scheme> key,
;    the same one Electron's app.setAsDefaultProtocolClient writes, makes it the handler where
;    nobody chose one. SHCTX is HKLM for a per-machine install, HKCU for a per-user one.
;    The command line is  "Registratura.exe" [--config "FILE"] "%1" : the link comes last and
;    quoted, and Electron refuses to start when a switch follows a URL argument, so a crafted
;    link cannot smuggle switches in.
; 2. /CONFIG=FILE (IT's provisioning file, see README "Rolling out to many desks"): the file is
;    copied to $LOCALAPPDATA\Registratura\provisioning.json (C:\ProgramData\Registratura\ for a
;    per-machine install, %LOCALAPPDATA%\Registratura\ for a per-user one) and the Start-menu and
;    desktop shortcuts and the link handlers start the desk with --config pointing at it. An
;    update without /CONFIG keeps using the file already there; /CONFIG again replaces it.
;    Uninstalling (not updating) deletes it: it may hold the SIP password.

!include "LogicLib.nsh"
!include "FileFunc.nsh"

!define REGISTRATURA_PROVISIONING_DIR "$LOCALAPPDATA\Registratura"
!define REGISTRATURA_PROVISIONING_FILE "$LOCALAPPDATA\Registratura\provisioning.json"

; WinShell is electron-builder's plugin; the syntax check in scripts/installers compiles this
; file with Debian's makensis, which does not have it.
!macro registraturaSetAumi LINK
  !ifndef REGISTRATURA_NSIS_SYNTAX_CHECK
    WinShell::SetLnkAUMI "${LINK}" "${APP_ID}"
  !endif
!macroend

; One URL scheme: our ProgID, the capability that names it, and the classic scheme key.
!macro registraturaRegisterScheme SCHEME DESCRIPTION
  WriteRegStr SHCTX "Software\Classes\Registratura.${SCHEME}" "" "${DESCRIPTION}"
  WriteRegStr SHCTX "Software\Classes\Registratura.${SCHEME}" "URL Protocol" ""
  WriteRegStr SHCTX "Software\Classes\Registratura.${SCHEME}\DefaultIcon" "" "$appExe,0"
  WriteRegStr SHCTX "Software\Classes\Registratura.${SCHEME}\shell\open\command" "" "$\"$appExe$\" $R9$\"%1$\""
  WriteRegStr SHCTX "Software\Registratura\Capabilities\URLAssociations" "${SCHEME}" "Registratura.${SCHEME}"
  WriteRegStr SHCTX "Software\Classes\${SCHEME}" "" "URL:${DESCRIPTION}"
  WriteRegStr SHCTX "Software\Classes\${SCHEME}" "URL Protocol" ""
  WriteRegStr SHCTX "Software\Classes\${SCHEME}\DefaultIcon" "" "$appExe,0"
  WriteRegStr SHCTX "Software\Classes\${SCHEME}\shell\open\command" "" "$\"$appExe$\" $R9$\"%1$\""
!macroend

; Removes what registraturaRegisterScheme wrote; the classic key only while it still starts us
; (another program may have taken the scheme over since).
!macro registraturaUnregisterScheme SCHEME
  DeleteRegKey SHCTX "Software\Classes\Registratura.${SCHEME}"
  ReadRegStr $R8 SHCTX "Software\Classes\${SCHEME}\shell\open\command" ""
  StrLen $R7 "$\"$INSTDIR\${APP_EXECUTABLE_FILENAME}$\""
  StrCpy $R6 $R8 $R7
  ${If} $R6 == "$\"$INSTDIR\${APP_EXECUTABLE_FILENAME}$\""
    DeleteRegKey SHCTX "Software\Classes\${SCHEME}"
  ${EndIf}
!macroend

!macro customInit
  ; A /CONFIG= that cannot be used stops the installer before anything is installed (exit 2).
  ; The path must be absolute (or UNC): the installer's working folder is not the caller's.
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/CONFIG=" $R1
  ${IfNot} ${Errors}
    ${If} $R1 == ""
    ${OrIfNot} ${FileExists} "$R1"
      MessageBox MB_ICONSTOP "Registratura: the provisioning file given with /CONFIG= was not found: $R1 (give an absolute path)." /SD IDOK
      SetErrorLevel 2
      Quit
    ${EndIf}
  ${EndIf}
!macroend

!macro customInstall
  ; The provisioning file: a new one from /CONFIG= (checked in customInit), or the one a
  ; previous install left.
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/CONFIG=" $R1
  ${IfNot} ${Errors}
  ${AndIf} $R1 != ""
    CreateDirectory "${REGISTRATURA_PROVISIONING_DIR}"
    ClearErrors
    CopyFiles /SILENT "$R1" "${REGISTRATURA_PROVISIONING_FILE}"
    ${If} ${Errors}
      MessageBox MB_ICONSTOP "Registratura: could not copy $R1 to ${REGISTRATURA_PROVISIONING_FILE}." /SD IDOK
      SetErrorLevel 2
    ${EndIf}
  ${EndIf}

  StrCpy $R9 ""
  ${If} ${FileExists} "${REGISTRATURA_PROVISIONING_FILE}"
    StrCpy $R9 "--config $\"${REGISTRATURA_PROVISIONING_FILE}$\" "
    ; electron-builder made the shortcuts without arguments: make them again with --config.
    ${If} ${FileExists} "$newStartMenuLink"
      Delete "$newStartMenuLink"
      CreateShortCut "$newStartMenuLink" "$appExe" "--config $\"${REGISTRATURA_PROVISIONING_FILE}$\"" "$appExe" 0 "" "" "${APP_DESCRIPTION}"
      ClearErrors
      !insertmacro registraturaSetAumi "$newStartMenuLink"
    ${EndIf}
    ${If} ${FileExists} "$newDesktopLink"
      Delete "$newDesktopLink"
      CreateShortCut "$newDesktopLink" "$appExe" "--config $\"${REGISTRATURA_PROVISIONING_FILE}$\"" "$appExe" 0 "" "" "${APP_DESCRIPTION}"
      ClearErrors
      !insertmacro registraturaSetAumi "$newDesktopLink"
    ${EndIf}
  ${EndIf}

  WriteRegStr SHCTX "Software\Registratura\Capabilities" "ApplicationName" "Registratura"
  WriteRegStr SHCTX "Software\Registratura\Capabilities" "ApplicationDescription" "Registratura: the clinic contact-centre desk"
  !insertmacro registraturaRegisterScheme "tel" "Telephone link (Registratura)"
  !insertmacro registraturaRegisterScheme "sip" "SIP link (Registratura)"
  !insertmacro registraturaRegisterScheme "sips" "Secure SIP link (Registratura)"
  WriteRegStr SHCTX "Software\RegisteredApplications" "Registratura" "Software\Registratura\Capabilities"
  ; Tell Explorer the associations changed (SHCNE_ASSOCCHANGED).
  System::Call 'Shell32::SHChangeNotify(i 0x8000000, i 0, i 0, i 0)'
!macroend

!macro customUnInstall
  !insertmacro registraturaUnregisterScheme "tel"
  !insertmacro registraturaUnregisterScheme "sip"
  !insertmacro registraturaUnregisterScheme "sips"
  DeleteRegValue SHCTX "Software\RegisteredApplications" "Registratura"
  DeleteRegKey SHCTX "Software\Registratura\Capabilities"
  DeleteRegKey /ifempty SHCTX "Software\Registratura"
  ${IfNot} ${isUpdated}
    Delete "${REGISTRATURA_PROVISIONING_FILE}"
    RMDir "${REGISTRATURA_PROVISIONING_DIR}"
  ${EndIf}
  System::Call 'Shell32::SHChangeNotify(i 0x8000000, i 0, i 0, i 0)'
!macroend
