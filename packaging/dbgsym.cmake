# CPACK_POST_BUILD_SCRIPTS: finishes the multicad-dbgsym .ddeb that CPack's
# DEBUGINFO option writes, the way debhelper's dh_strip makes one:
# - md5sums with paths relative to the package root (CMake 3.25 writes the
#   absolute build path, which `dpkg --verify` and lintian reject);
# - /usr/share/doc/multicad-dbgsym as a symlink to multicad's documentation
#   (its copyright and changelog), as Debian's dbgsym packages have it;
# - folders 0755 and files 0644 whatever the umask.
# Runs inside cpack; CPACK_PACKAGE_FILES lists what it built.
foreach(package IN LISTS CPACK_PACKAGE_FILES)
  if(NOT package MATCHES "\\.ddeb$")
    continue()
  endif()
  get_filename_component(name ${package} NAME_WE)
  string(REGEX REPLACE "_.*" "" name "${name}")  # multicad-dbgsym
  string(REGEX REPLACE "-dbgsym$" "" main "${name}")
  set(tree ${package}.tree)
  file(REMOVE_RECURSE ${tree})
  execute_process(COMMAND dpkg-deb -R ${package} ${tree} COMMAND_ERROR_IS_FATAL ANY)
  file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE ${tree} ${tree}/usr/*)
  list(SORT files)
  set(sums "")
  foreach(f IN LISTS files)
    file(MD5 ${tree}/${f} md5)
    string(APPEND sums "${md5}  ${f}\n")
  endforeach()
  file(WRITE ${tree}/DEBIAN/md5sums "${sums}")
  file(MAKE_DIRECTORY ${tree}/usr/share/doc)
  # Folders 0755 and files 0644 (as dh_strip leaves them), whatever the umask
  # CPack and this script ran with: under 002 both came out group-writable.
  file(CHMOD_RECURSE ${tree} DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ
       WORLD_EXECUTE FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  file(CREATE_LINK ${main} ${tree}/usr/share/doc/${name} SYMBOLIC)
  execute_process(COMMAND dpkg-deb --root-owner-group -Zgzip -b ${tree} ${package} OUTPUT_QUIET COMMAND_ERROR_IS_FATAL ANY)
  file(REMOVE_RECURSE ${tree})
endforeach()
