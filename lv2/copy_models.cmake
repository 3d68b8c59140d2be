# Copies the converted BeatNet models (SRC) into the bundle (DST/models),
# with their packed files where setup made them.
# They are fetched outside the build (tools/model/fetch_models.sh); without
# them the bundle still builds, and the plugin refuses to instantiate with a
# message naming the missing file.
# REQUIRED=ON (the tests' fixture): no models is an error.
file(GLOB models ${SRC}/beatnet-model-*.safetensors)
if(NOT models)
  if(REQUIRED)
    message(FATAL_ERROR "tactus.lv2: no model files in ${SRC}; run tools/model/fetch_models.sh ${SRC}")
  endif()
  message(WARNING "tactus.lv2: no model files in ${SRC}; run tools/model/fetch_models.sh ${SRC}")
  return()
endif()
# and their packed files (tactus-pack-models), where there are
file(GLOB packed ${SRC}/beatnet-model-*.packed)
file(MAKE_DIRECTORY ${DST})
foreach(model ${models} ${packed})
  get_filename_component(name ${model} NAME)
  file(COPY_FILE ${model} ${DST}/${name} ONLY_IF_DIFFERENT)
endforeach()
