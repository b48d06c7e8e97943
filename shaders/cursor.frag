#version 100
// The cursor: premultiplied ARGB, blended with ONE, ONE_MINUS_SRC_ALPHA.
precision mediump float;

uniform sampler2D tex;
uniform float opaque;  // unused: a cursor's alpha always counts
uniform float swap_rb;
varying vec2 v_texcoord;

void main()
{
	vec4 c = texture2D(tex, v_texcoord);
	gl_FragColor = vec4(mix(c.rgb, c.bgr, swap_rb), c.a);
}
